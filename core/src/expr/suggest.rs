//! Did-you-mean suggestions for misspelt names, fields and functions.

/// The closest candidate to `name`, as a hint.
pub(crate) fn did_you_mean(name: &str, candidates: &[&str]) -> Option<String> {
    let best = candidates
        .iter()
        .map(|c| (levenshtein(&name.to_lowercase(), &c.to_lowercase()), *c))
        .min()?;
    (best.0 <= (name.len() / 3).max(2)).then(|| format!("did you mean `{}`?", best.1))
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            cur.push(sub.min(del).min(ins));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}
