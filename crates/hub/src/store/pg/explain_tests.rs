//! Test helper: the plan PostgreSQL chooses for a statement (`EXPLAIN (FORMAT JSON)`),
//! for tests that pin how a hot statement reads its tables.

/// The JSON plan of `explain` (an `EXPLAIN (FORMAT JSON) …` statement) and its nodes,
/// depth first.
pub(crate) fn plan_nodes(client: &mut postgres::Client, explain: &str) -> (String, Vec<serde_json::Value>) {
    let text = client
        .simple_query(explain)
        .unwrap()
        .iter()
        .find_map(|m| match m {
            postgres::SimpleQueryMessage::Row(row) => Some(row.get(0).unwrap().to_owned()),
            _ => None,
        })
        .expect("a plan");
    let plan: serde_json::Value = serde_json::from_str(&text).unwrap();
    let (mut all, mut stack) = (Vec::new(), vec![plan[0]["Plan"].clone()]);
    while let Some(node) = stack.pop() {
        stack.extend(node["Plans"].as_array().into_iter().flatten().rev().cloned());
        all.push(node);
    }
    (text, all)
}
