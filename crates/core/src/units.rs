//! The unit registry (组织): who is responsible for what.
//!
//! Units are the departments, zones, towns and other bodies that a plan names as 责任单位.
//! `SEED_UNITS` is 象山县's registry as of the 2017 plan: every responsible unit the plan
//! names, the 18 乡镇街道 with their 统计用区划代码 (`shared/conventions.md` §3), and the
//! collective names a plan uses ("各镇乡街道") so that they resolve instead of being reported
//! as unknown.

use serde::{Deserialize, Serialize};

/// What kind of body a unit is; drives 差异化考核 and the tier of problem routing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// 工业强县领导小组办公室: runs the system.
    Office,
    /// 县级部门 (department of the county government or party committee).
    Department,
    /// 开发区 / 合作区 / 园区 (no 区划代码).
    Zone,
    /// 镇乡(街道), with a 9-digit 区划代码.
    Town,
    /// Other bodies: vertical agencies, courts, state-owned groups, banks' regulators.
    Body,
    /// A collective name used in plans ("各镇乡街道", "各涉企部门"): stands for several units.
    Group,
    /// An enterprise (企业) that has user accounts.
    Enterprise,
}

impl UnitKind {
    pub const ALL: [UnitKind; 7] = [
        UnitKind::Office,
        UnitKind::Department,
        UnitKind::Zone,
        UnitKind::Town,
        UnitKind::Body,
        UnitKind::Group,
        UnitKind::Enterprise,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Office => "office",
            UnitKind::Department => "department",
            UnitKind::Zone => "zone",
            UnitKind::Town => "town",
            UnitKind::Body => "body",
            UnitKind::Group => "group",
            UnitKind::Enterprise => "enterprise",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

crate::coded::decoded_with_parse!(UnitKind("单位类型", "unit kind"));

crate::coded::coded_enum! {
    /// A unit's part in a plan item or task: 牵头 (leads and reports the whole task) or 配合.
    #[derive(Serialize)]
    #[serde(rename_all = "snake_case")]
    TaskRole {
        Lead = "lead", "牵头", "Lead";
        Support = "support", "配合", "Support";
    }
    unknown(code) => crate::state::UnknownState {
        crate::state::UnknownState { what_zh: "单位分工", what_en: "task role", code }
    }
}

/// The stored code, so that a kind compares with the codes forms and filters carry.
impl AsRef<str> for UnitKind {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Display for UnitKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl crate::label::Labelled for UnitKind {
    fn label(&self, lang: crate::label::Lang) -> &'static str {
        match self {
            UnitKind::Office => lang.pick("领导小组办公室", "Leading office"),
            UnitKind::Department => lang.pick("县级部门", "County department"),
            UnitKind::Zone => lang.pick("开发区(园区)", "Development zone"),
            UnitKind::Town => lang.pick("镇乡(街道)", "Town / subdistrict"),
            UnitKind::Body => lang.pick("其他单位", "Other body"),
            UnitKind::Group => lang.pick("集合称谓", "Collective name"),
            UnitKind::Enterprise => lang.pick("企业", "Enterprise"),
        }
    }
}

/// One entry of the built-in registry.
#[derive(Debug, Clone, Copy)]
pub struct SeedUnit {
    /// The short name plans use (县经信局).
    pub name: &'static str,
    /// The full official name.
    pub full_name: &'static str,
    /// Other names the same body goes by in documents.
    pub aliases: &'static [&'static str],
    pub kind: UnitKind,
    /// 9-digit 统计用区划代码 for towns.
    pub region_code: Option<&'static str>,
}

/// A registered body of `kind` without a 区划代码.
const fn registered(
    kind: UnitKind,
    name: &'static str,
    full_name: &'static str,
    aliases: &'static [&'static str],
) -> SeedUnit {
    SeedUnit {
        name,
        full_name,
        aliases,
        kind,
        region_code: None,
    }
}

const fn dept(
    name: &'static str,
    full_name: &'static str,
    aliases: &'static [&'static str],
) -> SeedUnit {
    registered(UnitKind::Department, name, full_name, aliases)
}

const fn body(
    name: &'static str,
    full_name: &'static str,
    aliases: &'static [&'static str],
) -> SeedUnit {
    registered(UnitKind::Body, name, full_name, aliases)
}

const fn zone(
    name: &'static str,
    full_name: &'static str,
    aliases: &'static [&'static str],
) -> SeedUnit {
    registered(UnitKind::Zone, name, full_name, aliases)
}

const fn town(name: &'static str, code: &'static str) -> SeedUnit {
    SeedUnit {
        name,
        full_name: name,
        aliases: &[],
        kind: UnitKind::Town,
        region_code: Some(code),
    }
}

const fn group(name: &'static str, aliases: &'static [&'static str]) -> SeedUnit {
    registered(UnitKind::Group, name, name, aliases)
}

/// 象山县 (330225) registry as named by the 2017 plan, plus the bodies that feed its data.
pub const SEED_UNITS: &[SeedUnit] = &[
    registered(
        UnitKind::Office,
        "县工业强县办",
        "象山县工业强县建设领导小组办公室",
        &[
            "工业强县办",
            "县工业强县建设领导小组办公室",
            "工业强县领导小组办公室",
        ],
    ),
    dept(
        "县经信局",
        "象山县经济和信息化局",
        &["县经济和信息化局", "县经信委"],
    ),
    dept(
        "县发改局",
        "象山县发展和改革局",
        &["县发展和改革局", "县发改委"],
    ),
    dept("县科技局", "象山县科学技术局", &["县科学技术局"]),
    dept("县财政局", "象山县财政局", &[]),
    dept("县国土资源局", "象山县国土资源局", &["县国土局"]),
    dept(
        "县金融办",
        "象山县人民政府金融工作办公室",
        &["县政府金融办", "县金融工作办公室"],
    ),
    dept(
        "县人社局",
        "象山县人力资源和社会保障局",
        &["县人力资源和社会保障局", "县人力社保局"],
    ),
    dept("县招商局", "象山县招商局", &[]),
    dept(
        "县审管办",
        "象山县行政审批管理办公室",
        &["县行政审批管理办公室"],
    ),
    dept(
        "县市场监管局",
        "象山县市场监督管理局",
        &["县市场监督管理局"],
    ),
    dept("县环保局", "象山县环境保护局", &["县环境保护局"]),
    dept(
        "县住建局",
        "象山县住房和城乡建设局",
        &["县住房和城乡建设局"],
    ),
    dept(
        "县安监局",
        "象山县安全生产监督管理局",
        &["县安全生产监督管理局"],
    ),
    dept("县规划管理中心", "象山县规划管理中心", &[]),
    dept("县司法局", "象山县司法局", &[]),
    dept("县公安局", "象山县公安局", &[]),
    dept("县综合行政执法局", "象山县综合行政执法局", &["县执法局"]),
    dept("县统计局", "象山县统计局", &[]),
    dept("县商务局", "象山县商务局", &[]),
    dept("县教育局", "象山县教育局", &[]),
    dept("县交通运输局", "象山县交通运输局", &["县交通局"]),
    dept("县水利局", "象山县水利局", &[]),
    dept("县农林局", "象山县农林局", &[]),
    dept("县海洋与渔业局", "象山县海洋与渔业局", &["县海渔局"]),
    dept("县人才服务中心", "象山县人才服务中心", &[]),
    dept("县委组织部", "中共象山县委组织部", &["县委组织部门"]),
    dept(
        "县人才办",
        "中共象山县委人才工作领导小组办公室",
        &["县委人才办"],
    ),
    dept("县委政研室", "中共象山县委政策研究室", &["县委政策研究室"]),
    dept("县委政法委", "中共象山县委政法委员会", &["县委政法委员会"]),
    dept("县纪委", "中共象山县纪律检查委员会", &["县纪委监委"]),
    body("县国税局", "象山县国家税务局", &["县国家税务局"]),
    body("县地税局", "象山县地方税务局", &["县地方税务局"]),
    body("县人民法院", "象山县人民法院", &["县法院"]),
    body("县人民检察院", "象山县人民检察院", &["县检察院"]),
    body("县消防大队", "象山县公安消防大队", &["县公安消防大队"]),
    body(
        "人行象山支行",
        "中国人民银行象山县支行",
        &["人民银行象山支行", "人行象山县支行"],
    ),
    body(
        "县银监办",
        "中国银行业监督管理委员会象山监管办事处",
        &["象山银监办"],
    ),
    body(
        "县工投集团",
        "象山县工业投资集团有限公司",
        &["县工业投资集团"],
    ),
    body("县供电公司", "国网浙江象山县供电公司", &["象山供电公司"]),
    zone(
        "县经济开发区",
        "象山经济开发区",
        &["象山经济开发区", "县开发区"],
    ),
    zone("象保合作区", "宁波象保合作区", &["宁波象保合作区"]),
    zone(
        "浙台经贸合作区",
        "浙台(象山石浦)经贸合作区",
        &["浙台(象山石浦)经贸合作区"],
    ),
    zone("海经区", "象山海洋经济开发区", &[]),
    town("丹东街道", "330225001"),
    town("丹西街道", "330225002"),
    town("爵溪街道", "330225003"),
    town("石浦镇", "330225101"),
    town("西周镇", "330225102"),
    town("鹤浦镇", "330225103"),
    town("贤庠镇", "330225104"),
    town("墙头镇", "330225105"),
    town("泗洲头镇", "330225106"),
    town("定塘镇", "330225107"),
    town("涂茨镇", "330225108"),
    town("大徐镇", "330225109"),
    town("新桥镇", "330225110"),
    town("东陈乡", "330225200"),
    town("晓塘乡", "330225201"),
    town("黄避岙乡", "330225202"),
    town("茅洋乡", "330225203"),
    town("高塘岛乡", "330225204"),
    group(
        "各镇乡街道",
        &["各镇乡(街道)", "各镇(乡)街道", "各镇乡、街道", "各镇乡"],
    ),
    group("各涉企部门", &["涉企部门"]),
    group(
        "工业强县领导小组成员单位",
        &["领导小组成员单位", "工业强县建设领导小组成员单位"],
    ),
];

/// 象山县's 6-digit GB/T 2260 code.
pub const COUNTY_CODE: &str = "330225";

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_and_aliases_are_unique() {
        let mut seen = HashSet::new();
        for u in SEED_UNITS {
            assert!(seen.insert(u.name), "duplicate name {}", u.name);
            for a in u.aliases {
                assert!(seen.insert(a), "alias {a} collides");
            }
        }
    }

    #[test]
    fn eighteen_towns_with_county_codes() {
        let towns: Vec<_> = SEED_UNITS
            .iter()
            .filter(|u| u.kind == UnitKind::Town)
            .collect();
        assert_eq!(towns.len(), 18);
        for t in towns {
            let code = t.region_code.expect("town has a code");
            assert_eq!(code.len(), 9);
            assert!(code.starts_with(COUNTY_CODE));
        }
    }
}
