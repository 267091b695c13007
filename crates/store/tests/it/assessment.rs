//! 考核评价 on both engines: scheme versions, a run's results and items with provenance, who
//! sees what (a unit: nothing before 公示, then its own breakdown, its class once final;
//! another unit's breakdown not found), objections answered once with the item adjusted and
//! the class re-ranked, 终审 refused while an objection is open, and a final run frozen; who
//! is told (公示 and 终审: every unit of the run; an objection: the office; its answer: the
//! unit) and where each notice leads; a name keeps its cadence across versions.

use qx_core::access::{Actor, Role};
use qx_core::assessment::Cadence;
use qx_core::assessment::{
    Fact, Measure, ObjectionStatus, RunStatus, Scheme, Source, UnitClass, UnitInputs, rank,
    score_class,
};
use qx_core::notice::{Audience, NoticeKind, Subject};
use qx_store::assessment::{Answer, NewManual, NewObjection, NewRun, RunGroup};
use qx_store::plans::{NewPlanDraft, PlanMeta};
use qx_store::{Store, StoreError};
use std::collections::HashMap;

fn actor(role: Role, unit_id: Option<i64>) -> Actor {
    Actor {
        user_id: 7,
        username: "t".into(),
        role,
        unit_id,
        enterprise_id: None,
        ip: String::new(),
    }
}

fn inputs(id: i64, name: &str, tasks_on_track: f64) -> UnitInputs {
    let mut u = UnitInputs {
        unit_id: id,
        unit: name.into(),
        ..Default::default()
    };
    let facts = vec![
        Fact {
            record: "task:1".into(),
            label: "1 任务".into(),
            value: tasks_on_track,
            expected: None,
        },
        Fact {
            record: "task:2".into(),
            label: "2 任务".into(),
            value: 1.0,
            expected: None,
        },
    ];
    u.measures.insert(Source::Tasks, Measure::mean_of(facts));
    u
}

/// The notices among `ids` that `reader` gets, as (audience, kind, subject), checking the
/// reader can open each.
async fn told(store: &Store, ids: &[i64], reader: &Actor) -> Vec<(Audience, NoticeKind, Subject)> {
    let mut out = Vec::new();
    for id in ids {
        let n = store.notice_unscoped(*id).await.unwrap();
        if !n.audience.includes(reader) {
            continue;
        }
        assert!(store.can_open(reader, n.subject).await.unwrap(), "{n:?}");
        out.push((n.audience, n.kind, n.subject));
    }
    out
}

#[tokio::test]
async fn a_run_from_scoring_to_final_with_scope_objections_and_freezing() {
    for db in qx_store::testing::all().await.unwrap() {
        let store = &db.store;
        let office = actor(Role::Admin, None);
        let mut ids = Vec::new();
        for (name, slug) in [("石浦镇", "sp"), ("西周镇", "xz")] {
            let id = qx_store::testing::town(store, name, slug).await.unwrap();
            ids.push(id);
        }
        let (sp, xz) = (ids[0], ids[1]);
        let plan = store
            .create_plan_draft(
                &office,
                &NewPlanDraft {
                    meta: PlanMeta {
                        year: 2017,
                        title: "方案".into(),
                        doc_number: String::new(),
                        issuer: String::new(),
                        issued_on: None,
                    },
                    source_name: "p.txt".into(),
                    source_format: "txt".into(),
                    source_text: String::new(),
                    items: vec![],
                    targets: vec![],
                },
            )
            .await
            .unwrap();

        // Saving again makes version 2; the latest is listed.
        let mut scheme = Scheme::bulletin_default(2017, "镇乡(街道)", vec![UnitClass::Town]);
        store
            .save_assessment_scheme(&office, &scheme)
            .await
            .unwrap();
        scheme.items[0].weight = 50.0;
        let v2 = store
            .save_assessment_scheme(&office, &scheme)
            .await
            .unwrap();
        let listed = store.assessment_schemes(2017).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!((listed[0].id, listed[0].version), (v2, 2));
        assert_eq!(listed[0].scheme().unwrap(), scheme);
        let town = actor(Role::Unit, Some(sp));
        assert!(matches!(
            store.save_assessment_scheme(&town, &scheme).await,
            Err(StoreError::Forbidden(_))
        ));
        let mut bad = scheme.clone();
        bad.items[1].weight = -1.0;
        let e = store
            .save_assessment_scheme(&office, &bad)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("items[1].weight"), "{e}");
        // An annual scheme under the quarterly one's name would replace it: refused, named.
        let mut annual = scheme.clone();
        annual.cadence = Cadence::Annual;
        let e = store
            .save_assessment_scheme(&office, &annual)
            .await
            .unwrap_err();
        assert!(e.to_string().starts_with("name: "), "{e}");
        assert!(e.to_string().contains("季度方案"), "{e}");
        // Under its own name both stand for the same class in one year.
        annual.name = "镇乡(街道)年度考核".into();
        store
            .save_assessment_scheme(&office, &annual)
            .await
            .unwrap();
        let listed = store.assessment_schemes(2017).await.unwrap();
        let cadences: Vec<(i64, Cadence)> = listed
            .iter()
            .map(|v| (v.version, v.scheme().unwrap().cadence))
            .collect();
        assert_eq!(cadences, [(2, Cadence::Quarterly), (1, Cadence::Annual)]);

        // Tasks only (rescaled to the 90 of this version): 石浦 45, 西周 90.
        let units = [inputs(sp, "石浦镇", 0.0), inputs(xz, "西周镇", 1.0)];
        let scores = score_class(&scheme, &units);
        let placed = rank(&scores, &HashMap::from([(sp, 1)]));
        let run = store
            .create_assessment_run(
                &office,
                &NewRun {
                    year: 2017,
                    period: "2017".into(),
                    plan_id: plan,
                    groups: vec![RunGroup {
                        scheme_id: v2,
                        scores,
                        placed,
                    }],
                },
            )
            .await
            .unwrap();

        // A unit sees nothing before 公示.
        assert!(store.assessment_runs(&town).await.unwrap().is_empty());
        assert!(matches!(
            store.assessment_breakdown(&town, run, sp).await,
            Err(StoreError::NotFound(_))
        ));
        let ranking = store.assessment_ranking(&office, run).await.unwrap();
        let places: Vec<(i64, Option<i64>, Option<i64>)> = ranking
            .iter()
            .map(|r| (r.unit_id, r.place, r.change()))
            .collect();
        assert_eq!(places, vec![(xz, Some(1), None), (sp, Some(2), Some(-1))]);

        let published = store
            .publish_assessment_run(&office, run, "2018-01-10")
            .await
            .unwrap();
        let results: HashMap<i64, i64> = ranking.iter().map(|r| (r.unit_id, r.id)).collect();
        let told_sp = told(store, &published, &town).await;
        assert_eq!(
            told_sp,
            [(
                Audience::Unit(sp),
                NoticeKind::AssessmentPublished,
                Subject::AssessmentResult(results[&sp])
            )]
        );
        assert_eq!(published.len(), 2, "both units of the run");
        assert!(
            store
                .notice_unscoped(published[0])
                .await
                .unwrap()
                .message
                .contains("公示至 2018-01-10")
        );
        assert_eq!(
            store
                .assessment_result_place(&town, results[&sp])
                .await
                .unwrap(),
            (run, sp)
        );
        assert!(
            !store
                .can_open(&town, Subject::AssessmentResult(results[&xz]))
                .await
                .unwrap(),
            "another unit's result"
        );
        // Its own breakdown with the records behind each item; another's is not found.
        let (r, _, items) = store.assessment_breakdown(&town, run, sp).await.unwrap();
        assert_eq!(r.status, RunStatus::Publicity);
        let tasks = items.iter().find(|i| i.item_key == "tasks").unwrap();
        assert_eq!(tasks.facts().len(), 2);
        assert_eq!(tasks.points, 10.0);
        assert!(matches!(
            store.assessment_breakdown(&town, run, xz).await,
            Err(StoreError::NotFound(_))
        ));
        // Only its own row of the ranking until final.
        let own = store.assessment_ranking(&town, run).await.unwrap();
        assert_eq!(own.len(), 1);

        // The objection, upheld: tasks 10 → 20 makes 石浦 90, sharing first place.
        let objection = NewObjection {
            run_id: run,
            item_key: "tasks".into(),
            reason: "任务1已于12月完成".into(),
            evidence: "验收报告".into(),
        };
        let (oid, filed) = store
            .file_assessment_objection(&town, &objection)
            .await
            .unwrap();
        assert_eq!(
            told(store, &filed, &office).await,
            [(
                Audience::Office,
                NoticeKind::AssessmentObjection,
                Subject::AssessmentRun(run)
            )]
        );
        assert!(
            !store
                .can_open(&town, Subject::AssessmentRun(run))
                .await
                .unwrap(),
            "the run's page is the county's"
        );
        let unknown = NewObjection {
            item_key: "nothing".into(),
            ..objection.clone()
        };
        assert!(
            store
                .file_assessment_objection(&town, &unknown)
                .await
                .is_err()
        );
        let e = store
            .finalise_assessment_run(&office, run)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("异议未答复"), "{e}");
        let answer = Answer {
            upheld: true,
            answer: "经核实予以采纳".into(),
            points: Some(20.0),
        };
        let answered = store
            .answer_assessment_objection(&office, oid, &answer)
            .await
            .unwrap();
        assert_eq!(
            told(store, &answered, &town).await,
            [(
                Audience::Unit(sp),
                NoticeKind::AssessmentObjectionAnswered,
                Subject::AssessmentResult(results[&sp])
            )]
        );
        let message = store.notice_unscoped(answered[0]).await.unwrap().message;
        assert!(message.contains("由 10.00 调整为 20.00"), "{message}");
        assert!(
            store
                .answer_assessment_objection(&office, oid, &answer)
                .await
                .is_err(),
            "answered once"
        );
        let o = &store.assessment_objections(&town, run).await.unwrap()[0];
        assert_eq!((o.points_before, o.points_after), (Some(10.0), Some(20.0)));
        let ranking = store.assessment_ranking(&office, run).await.unwrap();
        assert!(
            ranking
                .iter()
                .all(|r| r.place == Some(1) && r.score == Some(90.0))
        );

        // Manual points are the office's.
        let manual = NewManual {
            year: 2017,
            unit_id: sp,
            item_key: "bonus".into(),
            points: 2.0,
            reason: "省级表彰".into(),
            evidence: "浙政发〔2017〕1号".into(),
            file: None,
        };
        assert!(store.add_assessment_manual(&town, &manual).await.is_err());
        let mid = store.add_assessment_manual(&office, &manual).await.unwrap();
        assert_eq!(store.assessment_manual(&town, 2017).await.unwrap().len(), 1);
        // Edited before 终审: the office only, checked, audited with before and after.
        let edit = qx_store::assessment::ManualEdit {
            points: 3.5,
            reason: "省级表彰 (更正)".into(),
            evidence: "浙政发〔2017〕2号".into(),
        };
        assert!(
            store
                .update_assessment_manual(&town, mid, &edit)
                .await
                .is_err()
        );
        let bad = qx_store::assessment::ManualEdit {
            points: f64::NAN,
            ..edit.clone()
        };
        let e = store
            .update_assessment_manual(&office, mid, &bad)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("分值"), "{e}");
        store
            .update_assessment_manual(&office, mid, &edit)
            .await
            .unwrap();
        let edited = store.assessment_manual_entry(&town, mid).await.unwrap();
        assert_eq!(
            (
                edited.points,
                edited.reason.as_str(),
                edited.evidence.as_str()
            ),
            (3.5, "省级表彰 (更正)", "浙政发〔2017〕2号")
        );
        let audit = qx_store::testing::audit_entries(store, "assessment.manual_update")
            .await
            .unwrap();
        assert_eq!(audit.len(), 1);
        let detail = format!("{:?}", audit[0]);
        assert!(
            detail.contains("省级表彰 (更正)") && detail.contains("浙政发〔2017〕1号"),
            "{detail}"
        );
        let blank = NewManual {
            reason: " ".into(),
            ..manual
        };
        let e = store
            .add_assessment_manual(&office, &blank)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("理由"), "{e}");

        // 终审 freezes; the unit then sees its class.
        let finalised = store.finalise_assessment_run(&office, run).await.unwrap();
        let kinds: Vec<NoticeKind> = told(store, &finalised, &town)
            .await
            .into_iter()
            .map(|(_, k, _)| k)
            .collect();
        assert_eq!(kinds, [NoticeKind::AssessmentFinalised]);
        assert_eq!(finalised.len(), 2);
        assert_eq!(store.assessment_ranking(&town, run).await.unwrap().len(), 2);
        let e = store
            .adjust_assessment_item(&office, run, sp, "tasks", 5.0, "再调")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("已终审"), "{e}");
        let e = store
            .update_assessment_manual(&office, mid, &edit)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("已终审"), "{e}");
        assert!(store.finalise_assessment_run(&office, run).await.is_err());
        assert_eq!(
            store
                .final_assessment_run("2017")
                .await
                .unwrap()
                .map(|r| r.id),
            Some(run)
        );
    }
}

/// Migration 0039: a 考核 objection the office accepted was stored as 'upheld' and reads as
/// the one objection state table's 已采纳 on both engines; the others are left as they were.
#[tokio::test]
async fn migration_0039_reads_an_upheld_objection_as_accepted_on_both_engines() {
    for db in qx_store::testing::all_at(38).await.unwrap() {
        let s = &db.store;
        let sys = Actor::system();
        let unit = s
            .create_unit(
                &sys,
                &qx_store::units::NewUnit {
                    kind: qx_core::units::UnitKind::Town,
                    name: "石浦镇".into(),
                    full_name: "石浦镇".into(),
                    region_code: None,
                    parent_id: None,
                    slug: "shipu".into(),
                    aliases: vec![],
                    sort_order: 0,
                },
            )
            .await
            .unwrap();
        let (plan,): (i64,) = sqlx::query_as(
            "INSERT INTO plans (year, title, status, created_at, updated_at)
             VALUES (2017, '工作计划', 'published', 1, 1) RETURNING id",
        )
        .fetch_one(s.pool())
        .await
        .unwrap();
        let (run,): (i64,) = sqlx::query_as(
            "INSERT INTO assessment_runs (year, period, plan_id, status, created_by, created_at)
             VALUES (2017, '2017', $1, 'publicity', 0, 1) RETURNING id",
        )
        .bind(plan)
        .fetch_one(s.pool())
        .await
        .unwrap();
        for status in ["upheld", "rejected", "open"] {
            sqlx::query(
                "INSERT INTO assessment_objections (run_id, unit_id, item_key, reason, evidence,
                 status, created_by, created_at) VALUES ($1, $2, 'tasks', '理由', '依据', $3, 0, 1)",
            )
            .bind(run)
            .bind(unit)
            .bind(status)
            .execute(s.pool())
            .await
            .unwrap();
        }
        s.migrate().await.unwrap();
        let read: Vec<ObjectionStatus> = s
            .assessment_objections(&sys, run)
            .await
            .unwrap()
            .into_iter()
            .map(|o| o.status)
            .collect();
        use ObjectionStatus as O;
        assert_eq!(read, [O::Accepted, O::Rejected, O::Open], "{}", db.name);
    }
}
