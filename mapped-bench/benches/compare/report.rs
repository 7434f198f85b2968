//! The output: one table per workload (medians and paired ratios to its baseline), the goals of
//! the performance issue it is judged by, and the closing list of every goal.

use crate::support::{fmt_ns, paired_ratio, Measured};

/// Name prefixes of the `mapped` contenders, for the goals.
pub const HANDLE: &str = "mapped: struct handle";
pub const SLICE: &str = "mapped: MappedSlice";
pub const VEC: &str = "mapped: MappedVec";

/// The name of the control rows.
pub const CONTROL: &str = "control: the raw pointer again, over a second mapping";

/// A goal from the issue: `a`'s time over `b`'s must be at most `max` (`a`, `b` are contender
/// name prefixes). `inverse` prints it as "b is N x slower than a".
pub struct Goal {
    text: &'static str,
    a: &'static str,
    b: &'static str,
    max: f64,
    inverse: bool,
}

pub const fn goal(text: &'static str, a: &'static str, b: &'static str, max: f64) -> Goal {
    Goal {
        text,
        a,
        b,
        max,
        inverse: false,
    }
}

pub const fn faster(text: &'static str, a: &'static str, b: &'static str, times: f64) -> Goal {
    Goal {
        text,
        a,
        b,
        max: 1.0 / times,
        inverse: true,
    }
}

/// A line of the closing summary.
pub struct Verdict {
    workload: String,
    goal: String,
    measured: String,
    met: bool,
}

fn find<'m>(measured: &'m [Measured], prefix: &str) -> Option<&'m Measured> {
    measured.iter().find(|m| m.name.starts_with(prefix))
}

/// Prints one workload's table (medians and paired ratios to the first contender, the baseline)
/// and evaluates its goals.
pub fn report(
    title: &str,
    short: &str,
    measured: &[Measured],
    goals: &[Goal],
    verdicts: &mut Vec<Verdict>,
) {
    let base = &measured[0];
    let cell = |s: &str| s.replace('|', "\\|");
    println!("\n### {title}\n");
    println!(
        "| contender | median / op | fastest–slowest run | ratio to {} |",
        cell(&base.name)
    );
    println!("|---|---:|---:|---:|");
    for m in measured {
        let fastest = m.ns_per_op.iter().copied().fold(f64::INFINITY, f64::min);
        let slowest = m.ns_per_op.iter().copied().fold(0.0, f64::max);
        println!(
            "| {} | {} | {}–{} | {:.2}x |",
            cell(&m.name),
            fmt_ns(m.median()),
            fmt_ns(fastest),
            fmt_ns(slowest),
            paired_ratio(m, base)
        );
    }
    for g in goals {
        let (Some(a), Some(b)) = (find(measured, g.a), find(measured, g.b)) else {
            continue;
        };
        let ratio = paired_ratio(a, b);
        let met = ratio <= g.max;
        let measured = if g.inverse {
            format!("{:.1}x", 1.0 / ratio)
        } else {
            format!("{ratio:.3}x")
        };
        println!(
            "goal: {}: {measured} -> {}",
            g.text,
            if met { "met" } else { "MISSED" }
        );
        verdicts.push(Verdict {
            workload: short.to_string(),
            goal: g.text.to_string(),
            measured,
            met,
        });
    }
}

/// Prints the closing list of every goal evaluated, met or missed.
pub fn goals(verdicts: &[Verdict]) {
    println!("\n### Goals\n");
    println!("| workload | goal | measured | verdict |");
    println!("|---|---|---:|---|");
    for v in verdicts {
        println!(
            "| {} | {} | {} | {} |",
            v.workload,
            v.goal,
            v.measured,
            if v.met { "met" } else { "**missed**" }
        );
    }
    let missed = verdicts.iter().filter(|v| !v.met).count();
    println!("\n{} goals met, {missed} missed", verdicts.len() - missed);
}
