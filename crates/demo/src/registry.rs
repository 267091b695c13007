//! The built-in registry and official calendar, loaded into a database.
//!
//! Used by the demo and by `qx migrate --seed-registry` for a real 象山县 deployment.

use qx_core::access::Actor;
use qx_core::calendar::{DayKind, OFFICIAL_CALENDARS};
use qx_core::units::{SEED_UNITS, UnitKind};
use qx_store::calendar::{CalendarDay, upsert_calendar_day};
use qx_store::units::{NewUnit, Unit, insert_unit};
use qx_store::{AuditEntry, Store, StoreError};

/// Login-name stems (pinyin initials) for the registry's units.
const SLUGS: &[(&str, &str)] = &[
    ("县工业强县办", "gyqx"),
    ("县经信局", "jxj"),
    ("县发改局", "fgj"),
    ("县科技局", "kjj"),
    ("县财政局", "czj"),
    ("县国土资源局", "gtj"),
    ("县金融办", "jrb"),
    ("县人社局", "rsj"),
    ("县招商局", "zsj"),
    ("县审管办", "sgb"),
    ("县市场监管局", "scjgj"),
    ("县环保局", "hbj"),
    ("县住建局", "zjj"),
    ("县安监局", "ajj"),
    ("县规划管理中心", "ghzx"),
    ("县司法局", "sfj"),
    ("县公安局", "gaj"),
    ("县综合行政执法局", "zfj"),
    ("县统计局", "tjj"),
    ("县商务局", "swj"),
    ("县教育局", "jyj"),
    ("县交通运输局", "jtj"),
    ("县水利局", "slj"),
    ("县农林局", "nlj"),
    ("县海洋与渔业局", "hyj"),
    ("县人才服务中心", "rczx"),
    ("县委组织部", "zzb"),
    ("县人才办", "rcb"),
    ("县委政研室", "zys"),
    ("县委政法委", "zfw"),
    ("县纪委", "jw"),
    ("县国税局", "gsj"),
    ("县地税局", "dsj"),
    ("县人民法院", "fy"),
    ("县人民检察院", "jcy"),
    ("县消防大队", "xfdd"),
    ("人行象山支行", "rhzh"),
    ("县银监办", "yjb"),
    ("县工投集团", "gtjt"),
    ("县供电公司", "gdgs"),
    ("县经济开发区", "kfq"),
    ("象保合作区", "xbhzq"),
    ("浙台经贸合作区", "zthzq"),
    ("海经区", "hjq"),
    ("丹东街道", "dd"),
    ("丹西街道", "dx"),
    ("爵溪街道", "jx"),
    ("石浦镇", "sp"),
    ("西周镇", "xz"),
    ("鹤浦镇", "hp"),
    ("贤庠镇", "xx"),
    ("墙头镇", "qt"),
    ("泗洲头镇", "szt"),
    ("定塘镇", "dt"),
    ("涂茨镇", "tc"),
    ("大徐镇", "dxz"),
    ("新桥镇", "xq"),
    ("东陈乡", "dc"),
    ("晓塘乡", "xt"),
    ("黄避岙乡", "hba"),
    ("茅洋乡", "my"),
    ("高塘岛乡", "gtd"),
    ("各镇乡街道", "gzxjd"),
    ("各涉企部门", "gsqbm"),
    ("工业强县领导小组成员单位", "cydw"),
];

fn slug_for(name: &str, index: usize) -> String {
    SLUGS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or_else(|| format!("unit{index:02}"), |(_, s)| (*s).to_string())
}

/// Registers every unit of the built-in registry (one transaction, audited as `system`).
pub async fn seed_registry(store: &Store) -> Result<Vec<Unit>, StoreError> {
    let actor = Actor::system();
    let mut tx = store.begin().await?;
    for (i, seed) in SEED_UNITS.iter().enumerate() {
        let unit = NewUnit {
            kind: seed.kind,
            name: seed.name.to_string(),
            full_name: seed.full_name.to_string(),
            region_code: seed.region_code.map(str::to_string),
            parent_id: None,
            slug: slug_for(seed.name, i),
            aliases: seed.aliases.iter().map(|a| (*a).to_string()).collect(),
            sort_order: (kind_rank(seed.kind) * 100 + i) as i64,
        };
        let id = insert_unit(&mut tx, &unit).await?;
        qx_store::audit::append(
            &mut tx,
            AuditEntry::new(&actor, "unit.create", "unit", id).after(&unit),
        )
        .await?;
    }
    tx.commit().await?;
    store.list_units().await
}

/// The order units are listed in: the office, departments, zones, towns, other bodies.
fn kind_rank(kind: UnitKind) -> usize {
    match kind {
        UnitKind::Office => 0,
        UnitKind::Department => 1,
        UnitKind::Zone => 2,
        UnitKind::Town => 3,
        UnitKind::Body => 4,
        UnitKind::Group => 5,
        UnitKind::Enterprise => 6,
    }
}

/// Loads the State Council's holiday notices this build knows into the calendar table.
pub async fn seed_calendar(store: &Store) -> Result<usize, StoreError> {
    let actor = Actor::system();
    let mut tx = store.begin().await?;
    let mut n = 0;
    for year in OFFICIAL_CALENDARS {
        for range in year.holidays {
            for d in range.dates() {
                let day = CalendarDay {
                    day: d.to_string(),
                    kind: DayKind::Holiday,
                    name: range.name.to_string(),
                    source: year.notice.to_string(),
                };
                upsert_calendar_day(&mut tx, &day).await?;
                n += 1;
            }
        }
        for d in year.makeup_workdays {
            let day = CalendarDay {
                day: d.to_string(),
                kind: DayKind::Workday,
                name: "调休上班".into(),
                source: year.notice.to_string(),
            };
            upsert_calendar_day(&mut tx, &day).await?;
            n += 1;
        }
        qx_store::audit::append(
            &mut tx,
            AuditEntry::new(&actor, "calendar.seed", "calendar_year", year.year)
                .after(serde_json::json!({"notice": year.notice})),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_registry_unit_has_a_unique_slug() {
        let mut seen = HashSet::new();
        for u in SEED_UNITS {
            let slug = SLUGS.iter().find(|(n, _)| *n == u.name).map(|(_, s)| *s);
            let slug = slug.unwrap_or_else(|| panic!("no slug for {}", u.name));
            assert!(seen.insert(slug), "slug {slug} reused");
        }
    }
}
