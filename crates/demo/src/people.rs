//! Names for demo people and enterprises: plausible, invented, deterministic.

use qx_core::scale::Scale;

use rand::Rng;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖",
    "田", "董", "潘", "袁", "蒋", "蔡", "余", "杜", "叶", "程", "魏", "苏", "吕", "丁", "任", "沈",
    "姚", "卢", "傅", "钟", "姜", "崔", "谭", "陆", "范", "汪", "廖", "石", "金", "韦", "贾", "夏",
    "付", "方", "邹", "熊", "白", "孟", "秦", "邱",
];

const GIVEN: &[&str] = &[
    "建国", "建华", "志强", "志明", "海燕", "丽华", "秀英", "伟", "芳", "敏", "静", "军", "磊",
    "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞", "平", "刚", "桂英", "晓东", "晓燕",
    "海峰", "国平", "春燕", "文斌", "佳", "鹏", "婷", "浩", "宇", "晨", "欣怡", "思远", "立新",
    "红梅", "卫东", "玉兰", "海波", "振华", "雪峰", "永刚",
];

pub fn name(rng: &mut impl Rng) -> String {
    let s = SURNAMES[rng.random_range(0..SURNAMES.len())];
    let g = GIVEN[rng.random_range(0..GIVEN.len())];
    format!("{s}{g}")
}

/// Demo enterprises with accounts: (name, town, GB/T 4754 code, scale).
pub const ENTERPRISES: &[(&str, &str, &str, Scale)] = &[
    ("象山华宇针织服饰有限公司", "丹西街道", "1811", Scale::Above),
    ("宁波海天船舶修造有限公司", "石浦镇", "3731", Scale::Above),
    ("象山恒通汽配有限公司", "西周镇", "3670", Scale::Above),
    ("象山东海水产食品有限公司", "石浦镇", "1362", Scale::Above),
    ("象山金鑫模具有限公司", "贤庠镇", "3525", Scale::Below),
    ("宁波博宇电气科技有限公司", "丹东街道", "3823", Scale::Above),
    ("象山鹤浦新材料有限公司", "鹤浦镇", "2929", Scale::Below),
    ("象山晓塘竹木制品厂", "晓塘乡", "2041", Scale::Below),
];
