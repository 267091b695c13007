//! The API's list of a pipeline's entries pages in the store (`cultivation_entries_after`):
//! walked a few rows at a time under each filter of the page, in the office's and a town's
//! scope, it hands out exactly the rows the page's own read gives, by id, each once.

use crate::api_projects_write::get;
use crate::report_form::all_apps;
use qx_core::access::Actor;
use qx_core::codes::CreditCode;
use qx_core::cultivation::{EntryStatus, MoveKind};
use qx_store::cultivation::{EntryFilter, MoveRequest, NewEntry};
use qx_store::enterprises::RegistryRow;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_pages_the_same_entries_as_the_page_reads() {
    for app in all_apps().await {
        let (sp, xz) = (app.units["石浦镇"], app.units["西周镇"]);
        let code = |i: usize| {
            CreditCode::complete(&format!("91330225{i:08}0"))
                .unwrap()
                .as_str()
                .to_string()
        };
        let rows: Vec<RegistryRow> = (1..=14)
            .map(|i| RegistryRow {
                credit_code: code(i),
                name: format!(
                    "{}{i}号有限公司",
                    if i % 2 == 0 { "石浦甲" } else { "西周乙" }
                ),
                town_id: Some(if i % 3 == 0 { xz } else { sp }),
                industry_code: Some(if i % 4 == 0 { "2611" } else { "3411" }.into()),
                scale: qx_core::scale::Scale::Below,
                land_mu: None,
                address: String::new(),
                service_contact: String::new(),
                service_phone: String::new(),
                tags: vec![],
            })
            .collect();
        let office = Actor::system();
        app.store
            .import_enterprises(&office, "名录", &rows)
            .await
            .unwrap();
        let codes = app.store.enterprise_codes().await.unwrap();
        let xsg = app.store.cultivation_pipeline_by_code("xsg").await.unwrap();
        for i in 1..=14 {
            let stage = xsg.stages[i % xsg.stages.len()].id;
            let id = app
                .store
                .enter_cultivation(
                    &office,
                    &NewEntry {
                        pipeline_id: xsg.id,
                        enterprise_id: Some(codes[&code(i)].0),
                        stage_id: stage,
                        on_date: format!("2017-03-{:02}", 1 + i % 3),
                        evidence: "名单".into(),
                        ..NewEntry::default()
                    },
                )
                .await
                .unwrap();
            if i % 5 == 0 {
                let exit = MoveRequest {
                    kind: MoveKind::Exit,
                    to_stage_id: None,
                    on_date: "2017-05-01".into(),
                    evidence: "迁出".into(),
                    credit_code: String::new(),
                    certificate_no: String::new(),
                    board: String::new(),
                    stock_code: String::new(),
                };
                app.store
                    .move_cultivation(&office, id, &exit)
                    .await
                    .unwrap();
            }
        }
        let all = EntryFilter {
            pipeline_id: xsg.id,
            limit: 1000,
            ..EntryFilter::default()
        };
        let filters = [
            ("", all.clone()),
            (
                "&stage={}",
                EntryFilter {
                    stage_id: Some(xsg.stages[1].id),
                    ..all.clone()
                },
            ),
            (
                "&town={}",
                EntryFilter {
                    town_id: Some(sp),
                    ..all.clone()
                },
            ),
            (
                "&industry=34",
                EntryFilter {
                    industry: "34".into(),
                    ..all.clone()
                },
            ),
            (
                "&q=石浦甲",
                EntryFilter {
                    q: "石浦甲".into(),
                    ..all.clone()
                },
            ),
            (
                "&status=exited",
                EntryFilter {
                    status: Some(EntryStatus::Exited),
                    ..all.clone()
                },
            ),
        ];
        for user in ["admin", "sp1"] {
            let client = app.login(user).await;
            let actor = app.actor(user).await;
            let mut walked_any = false;
            for (query, f) in &filters {
                let query = query.replace("{}", &f.stage_id.or(f.town_id).unwrap_or(0).to_string());
                let (rows, _) = app.store.cultivation_entries(&actor, f).await.unwrap();
                let mut want: Vec<i64> = rows.iter().map(|r| r.id).collect();
                want.sort();
                let list = format!(
                    "/api/v1/cultivation/entries?pipeline={}{query}&limit=2",
                    xsg.id
                );
                let mut seen: Vec<serde_json::Value> = Vec::new();
                let mut url = list.clone();
                loop {
                    let (status, page) = get(&client, app.url(&url)).await;
                    assert_eq!(status, 200, "{user} {url}");
                    let items = page["items"].as_array().unwrap();
                    assert!(items.len() <= 2);
                    seen.extend(items.iter().cloned());
                    match page["next_cursor"].as_str() {
                        Some(c) => url = format!("{list}&cursor={c}"),
                        None => break,
                    }
                }
                let ids: Vec<i64> = seen.iter().map(|r| r["id"].as_i64().unwrap()).collect();
                assert_eq!(ids, want, "{user} {query}");
                walked_any |= ids.len() > 2;
                for r in &rows {
                    let json = seen.iter().find(|s| s["id"] == r.id).unwrap();
                    assert_eq!(json, &serde_json::to_value(r).unwrap(), "{user} {query}");
                }
            }
            assert!(walked_any, "{user}: some list takes several pages");
        }
    }
}
