//! 本月无数据 on every engine: a unit answers an indicator with "no figure this month" and a
//! reason; the mark is kept with the submission and in its sending (历次报送), never beside a
//! figure, and approved marks are what the picture reads (no figure, not zero).

use qx_store::StoreError;
use qx_store::monitoring::NoFigure;
use qx_store::testing::{self, TestDb};

use crate::submissions::{county, figures};

fn mark(indicator_id: i64, reason: &str) -> Vec<NoFigure> {
    vec![NoFigure {
        indicator_id,
        reason: reason.into(),
    }]
}

const REASON: &str = "统计口径调整，数据待统计局反馈";

#[tokio::test]
async fn a_unit_marks_an_indicator_no_figure_with_a_reason() {
    for TestDb { name, store: s, .. } in testing::all().await.unwrap() {
        let c = county(&s).await;
        let blank = figures(c.a_indicator, "");
        // A reason is required, and a figure may not come with the mark.
        for (input, reason, expected) in [
            (&blank, "  ", "本月无数据的原因"),
            (
                &figures(c.a_indicator, "4"),
                REASON,
                "不能同时标记本月无数据",
            ),
        ] {
            match s
                .save_report(
                    &c.a,
                    c.period,
                    c.a_unit,
                    input,
                    &mark(c.a_indicator, reason),
                    false,
                )
                .await
            {
                Err(StoreError::Invalid(m)) => assert!(m.contains(expected), "{name}: {m}"),
                other => panic!("{name}: {other:?}"),
            }
        }
        // Nor for an indicator the unit does not report.
        let other = s
            .unit_indicators(&c.office, c.plan, c.b_unit)
            .await
            .unwrap()[0]
            .id;
        assert!(matches!(
            s.save_report(
                &c.a,
                c.period,
                c.a_unit,
                &blank,
                &mark(other, REASON),
                false
            )
            .await,
            Err(StoreError::Invalid(_))
        ));

        // A figure saved first, then the mark: the figure goes, the mark stays (new revision
        // on PostgreSQL's one-call path first, then in place).
        let id = s
            .save_submission(
                &c.a,
                c.period,
                c.a_unit,
                &figures(c.a_indicator, "3"),
                false,
            )
            .await
            .unwrap();
        s.save_report(
            &c.a,
            c.period,
            c.a_unit,
            &blank,
            &mark(c.a_indicator, REASON),
            true,
        )
        .await
        .unwrap();
        let (values, _) = s.submission_values(&c.a, id).await.unwrap();
        assert!(values.is_empty(), "{name}: {values:?}");
        assert_eq!(
            s.submission_no_figures(&c.office, id).await.unwrap(),
            mark(c.a_indicator, REASON),
            "{name}"
        );
        // The office sees it on the period page; the other unit does not.
        let seen = s.period_no_figures(&c.office, c.period).await.unwrap();
        assert_eq!(seen.len(), 1, "{name}");
        assert_eq!(
            (seen[0].unit_id, seen[0].reason.as_str()),
            (c.a_unit, REASON)
        );
        assert!(seen[0].indicator.contains("石浦镇"), "{name}");
        assert!(
            s.period_no_figures(&c.b, c.period)
                .await
                .unwrap()
                .is_empty()
        );
        // Kept in the sending.
        let sendings = s
            .submission_sendings(&c.office, c.period, c.a_unit)
            .await
            .unwrap();
        assert_eq!(
            sendings[0].no_figures,
            vec![(c.a_indicator, REASON.to_string())],
            "{name}"
        );
        assert!(sendings[0].values.is_empty(), "{name}");
        // Audited with the mark.
        let audit = testing::audit_entries(&s, "submission.submit")
            .await
            .unwrap();
        assert!(
            audit
                .iter()
                .any(|a| a.after_json.as_deref().is_some_and(|v| v.contains(REASON))),
            "{name}"
        );

        // Not approved yet: the picture's reads know nothing of it.
        assert!(
            s.approved_no_figures(&c.office, c.plan)
                .await
                .unwrap()
                .is_empty()
        );
        // Returned, then sent again with a figure: the figure replaces the mark, and the
        // first sending keeps its mark.
        s.review_submission(&c.office, id, false, "请核实")
            .await
            .unwrap();
        s.save_submission(&c.a, c.period, c.a_unit, &figures(c.a_indicator, "5"), true)
            .await
            .unwrap();
        assert!(s.submission_no_figures(&c.a, id).await.unwrap().is_empty());
        let sendings = s
            .submission_sendings(&c.office, c.period, c.a_unit)
            .await
            .unwrap();
        assert!(sendings[0].no_figures.is_empty(), "{name}");
        assert_eq!(sendings[1].no_figures.len(), 1, "{name}");

        // Returned again and marked again, then approved: an approved mark the picture reads,
        // and no figure for the month.
        s.review_submission(&c.office, id, false, "仍需核实")
            .await
            .unwrap();
        s.save_report(
            &c.a,
            c.period,
            c.a_unit,
            &blank,
            &mark(c.a_indicator, REASON),
            true,
        )
        .await
        .unwrap();
        s.review_submission(&c.office, id, true, "").await.unwrap();
        let approved = s.approved_no_figures(&c.b, c.plan).await.unwrap();
        assert_eq!(approved.len(), 1, "{name}");
        assert_eq!(
            (approved[0].indicator_id, approved[0].period.as_str()),
            (c.a_indicator, "2017-06")
        );
        assert!(
            s.approved_values(&c.office, c.plan)
                .await
                .unwrap()
                .iter()
                .all(|v| v.indicator_id != c.a_indicator),
            "{name}"
        );
        // A correction starts from the approved marks.
        let correction = s.start_correction(&c.a, c.period, c.a_unit).await.unwrap();
        assert_eq!(
            s.submission_no_figures(&c.a, correction).await.unwrap(),
            mark(c.a_indicator, REASON),
            "{name}"
        );
    }
}
