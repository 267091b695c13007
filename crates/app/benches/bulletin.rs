//! A quarterly bulletin for the demo county (象山县 2017, 36 indicators, 67 tasks, 66 units,
//! January–November reported): the snapshot from approved data plus the .docx, .xlsx and HTML
//! renderings. Target: under 1 s.
//!
//! Run: `cargo bench -p qx-app --bench bulletin`.

use criterion::{Criterion, criterion_group, criterion_main};
use qx_app::bulletin::{self, report};
use qx_core::access::Actor;
use qx_report::BulletinKind;

fn quarterly(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let db = rt.block_on(qx_store::testing::sqlite()).unwrap();
    let store = db.store.clone();
    let opts = qx_demo::DemoOptions {
        password: Some("Xiangshan#2017".into()),
        ..Default::default()
    };
    rt.block_on(qx_demo::seed(&store, &opts)).unwrap();
    let plan = rt.block_on(store.published_plan(2017)).unwrap().unwrap().id;
    let q2 = bulletin::parse_period(BulletinKind::Quarterly, "2017Q2").unwrap();
    let actor = Actor::system();
    c.bench_function(
        "quarterly bulletin 2017Q2: snapshot + docx + xlsx + html",
        |b| {
            b.iter(|| {
                let snap = rt
                    .block_on(bulletin::build_snapshot(
                        &store,
                        &actor,
                        plan,
                        BulletinKind::Quarterly,
                        q2,
                        "2017-07-15",
                        None,
                    ))
                    .unwrap();
                let docx = report::docx::render(&snap).unwrap();
                let xlsx = report::xlsx::render(&snap).unwrap();
                let html = report::html::document(&snap);
                (docx.len(), xlsx.len(), html.len())
            })
        },
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = quarterly
}
criterion_main!(benches);
