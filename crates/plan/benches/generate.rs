//! The seeded 1 MB plan generator shared by the benchmark and `examples/profile_loop.rs`.

/// A plan of at least `bytes` bytes: a goal section, then task sections numbered on and on.
pub fn generated_plan(bytes: usize) -> Vec<u8> {
    const CN: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    let units = [
        "县经信局",
        "县科技局",
        "县财政局、县发改局",
        "县招商局、县委组织部",
        "各镇乡街道",
        "县市场监管局",
    ];
    let goods = ["家", "个", "项", "亿元", "万平方米", "%", "名"];
    let mut out = String::from("象山县工业强县2018年工作推进方案\n\n一、工作目标\n");
    let mut state: u64 = 42;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    for k in 1..=8 {
        out.push_str(&format!(
            "  （{}）实现规上工业产值同比增长{}%；新增规上企业{}家，亿元以上项目{}个。\n",
            CN[k % 10],
            next() % 20,
            next() % 100,
            next() % 50
        ));
    }
    let mut section = 1;
    let mut task = 1;
    while out.len() < bytes {
        section += 1;
        out.push_str(&format!(
            "{}、工作任务第{}部分\n",
            CN[section % 10],
            section
        ));
        for sub in 1..=5 {
            out.push_str(&format!("（{}）推进第{}项重点工作\n", CN[sub % 10], sub));
            for _ in 0..4 {
                out.push_str(&format!("  {task}．加快项目建设，提升发展水平。\n"));
                task += 1;
                for m in 1..=4 {
                    out.push_str(&format!(
                        "  （{m}）落实具体措施。全年完成投资{}{}，培育企业{}家以上，力争达到{}—{}个。（责任单位：{}）\n",
                        next() % 1000,
                        goods[next() % goods.len()],
                        next() % 90,
                        next() % 10,
                        10 + next() % 10,
                        units[next() % units.len()]
                    ));
                }
            }
        }
    }
    out.into_bytes()
}
