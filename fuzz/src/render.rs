//! A ruleset description as source text over the test schema
//! (`switchyard_testing::rulesets::SCHEMA`), with budgets on its size so
//! one input stays fast.

use std::fmt::Write as _;

use switchyard_testing::rulesets::SCHEMA;

use crate::input::{
    AtomDesc, BoolField, Cmp, CondDesc, Day, EqOp, FloatLit, IntLit, ModelDesc, NumSubject,
    RulesetDesc, SplitKey, StrField, StrOp, TargetDesc, Task, Text, Tier,
};

/// The fields of the test schema ([`SCHEMA`]), in order.
const FIELDS: [&str; 9] = [
    "tier", "task", "budget", "tokens", "tenant", "tools", "vision", "user", "prompt",
];

/// At most this many rules, lets and atoms are rendered, so one input
/// stays fast.
const MAX_RULES: usize = 200;
const MAX_LETS: usize = 6;
const MAX_ATOMS: usize = 400;
const MAX_COND_DEPTH: usize = 8;

const REGEXES: [&str; 8] = [
    "ab|x",
    "^u[0-9]+$",
    "(a+)+$",
    "(x+x+)+y",
    "\\bexplain\\b",
    "```|def |class ",
    "\\p{L}+",
    "(?:a|aa)*b",
];

fn string_lit(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn int_lit(i: IntLit) -> String {
    match i {
        IntLit::Small(i) => i.to_string(),
        IntLit::Any(i) => i.to_string(),
    }
}

fn float_lit(f: FloatLit) -> String {
    let v = match f {
        FloatLit::Small(i) => f64::from(i) / 4.0,
        FloatLit::Any(f) if f.is_finite() => f,
        FloatLit::Any(_) => 0.5,
    };
    format!("{v:?}")
}

fn cmp(op: Cmp) -> &'static str {
    match op {
        Cmp::Eq => "==",
        Cmp::Ne => "!=",
        Cmp::Lt => "<",
        Cmp::Le => "<=",
        Cmp::Gt => ">",
        Cmp::Ge => ">=",
    }
}

fn eq(op: EqOp) -> &'static str {
    match op {
        EqOp::Eq => "==",
        EqOp::Ne => "!=",
    }
}

fn tier(t: Tier) -> &'static str {
    match t {
        Tier::Free => "\"free\"",
        Tier::Basic => "\"basic\"",
        Tier::Pro => "\"pro\"",
        Tier::Enterprise => "\"enterprise\"",
    }
}

fn task(t: Task) -> &'static str {
    match t {
        Task::Chat => "\"chat\"",
        Task::Code => "\"code\"",
        Task::Analysis => "\"analysis\"",
    }
}

fn day(d: Day) -> &'static str {
    match d {
        Day::Mon => "\"mon\"",
        Day::Tue => "\"tue\"",
        Day::Wed => "\"wed\"",
        Day::Thu => "\"thu\"",
        Day::Fri => "\"fri\"",
        Day::Sat => "\"sat\"",
        Day::Sun => "\"sun\"",
    }
}

fn str_field(f: StrField) -> &'static str {
    match f {
        StrField::User => "user",
        StrField::Prompt => "prompt",
    }
}

fn bool_field(f: BoolField) -> &'static str {
    match f {
        BoolField::Tools => "tools",
        BoolField::Vision => "vision",
    }
}

fn num_subject(s: NumSubject) -> &'static str {
    match s {
        NumSubject::Budget => "budget",
        NumSubject::Tokens => "tokens",
        NumSubject::Tenant => "tenant",
        NumSubject::WordsPrompt => "words(prompt)",
        NumSubject::LenUser => "len(user)",
        NumSubject::Hour => "hour",
    }
}

fn model(m: ModelDesc) -> &'static str {
    match m {
        ModelDesc::A => "a",
        ModelDesc::B => "b",
        ModelDesc::C => "c",
        ModelDesc::Floor => "a:floor",
        ModelDesc::Quoted => "\"q/quoted\"",
    }
}

fn list<T: Copy>(items: &[T], f: impl Fn(T) -> String) -> String {
    let items: Vec<String> = items.iter().take(6).map(|&i| f(i)).collect();
    format!("[{}]", items.join(", "))
}

fn not_in(negated: bool) -> &'static str {
    if negated {
        "not in"
    } else {
        "in"
    }
}

/// Renders conditions, with a budget of atoms.
struct Render {
    atoms: usize,
    /// Lets the condition may name (those declared before it).
    lets: usize,
}

impl Render {
    fn atom(&mut self, a: &AtomDesc) -> String {
        self.atoms += 1;
        match a {
            AtomDesc::Tier(op, t) => format!("tier {} {}", eq(*op), tier(*t)),
            AtomDesc::TierIn(n, ts) => {
                format!("tier {} {}", not_in(*n), list(ts, |t| tier(t).into()))
            }
            AtomDesc::Task(op, t) => format!("task {} {}", eq(*op), task(*t)),
            AtomDesc::TaskIn(n, ts) => {
                format!("task {} {}", not_in(*n), list(ts, |t| task(t).into()))
            }
            AtomDesc::Budget(op, f) => format!("budget {} {}", cmp(*op), float_lit(*f)),
            AtomDesc::Int(s, op, i) => format!("{} {} {}", num_subject(*s), cmp(*op), int_lit(*i)),
            AtomDesc::IntRange(s, lo, hi, inclusive, n) => format!(
                "{} {} {}..{}{}",
                num_subject(*s),
                not_in(*n),
                int_lit(*lo),
                if *inclusive { "=" } else { "" },
                int_lit(*hi)
            ),
            AtomDesc::FloatRange(lo, hi, inclusive, n) => format!(
                "budget {} {}..{}{}",
                not_in(*n),
                float_lit(*lo),
                if *inclusive { "=" } else { "" },
                float_lit(*hi)
            ),
            AtomDesc::TenantIn(n, is) => format!("tenant {} {}", not_in(*n), list(is, int_lit)),
            AtomDesc::Flag(f) => bool_field(*f).into(),
            AtomDesc::BoolEq(f, op, b) => format!("{} {} {b}", bool_field(*f), eq(*op)),
            AtomDesc::Has(i) => format!("has({})", FIELDS[usize::from(*i) % FIELDS.len()]),
            AtomDesc::User(op, t) => format!("user {} {}", eq(*op), string_lit(t.get())),
            AtomDesc::UserIn(n, ts) => {
                let items: Vec<String> = ts.iter().take(6).map(|t| string_lit(t.get())).collect();
                format!("user {} [{}]", not_in(*n), items.join(", "))
            }
            AtomDesc::Str(f, op, t) => {
                let op = match op {
                    StrOp::Contains => "contains",
                    StrOp::StartsWith => "starts_with",
                    StrOp::EndsWith => "ends_with",
                };
                format!("{} {op} {}", str_field(*f), string_lit(t.get()))
            }
            AtomDesc::Matches(f, r) => {
                let body = match &r.body {
                    Text::Pick(i) => REGEXES[usize::from(*i) % REGEXES.len()].to_string(),
                    Text::Any(s) => s.replace('/', "\\/").replace('\n', "\\n"),
                };
                let mut flags = String::new();
                if r.case_insensitive {
                    flags.push('i');
                }
                if r.multi_line {
                    flags.push('m');
                }
                format!("{} matches /{body}/{flags}", str_field(*f))
            }
            AtomDesc::Fields(a, op, b) => {
                format!("{} {} {}", num_subject(*a), cmp(*op), num_subject(*b))
            }
            AtomDesc::Weekday(op, d) => format!("weekday {} {}", eq(*op), day(*d)),
            AtomDesc::WeekdayIn(n, ds) => {
                format!("weekday {} {}", not_in(*n), list(ds, |d| day(d).into()))
            }
            AtomDesc::Let(i) => match self.lets {
                0 => "tools".into(),
                n => format!("l{}", usize::from(*i) % n),
            },
            AtomDesc::True => "true".into(),
            AtomDesc::False => "false".into(),
        }
    }

    fn cond(&mut self, c: &CondDesc, depth: usize) -> String {
        if depth >= MAX_COND_DEPTH || self.atoms >= MAX_ATOMS {
            return "true".into();
        }
        match c {
            CondDesc::Atom(a) => self.atom(a),
            CondDesc::Not(c) => format!("not ({})", self.cond(c, depth + 1)),
            CondDesc::And(cs) | CondDesc::Or(cs) => {
                let op = if matches!(c, CondDesc::And(_)) {
                    " and "
                } else {
                    " or "
                };
                let parts: Vec<String> = cs
                    .iter()
                    .take(6)
                    .map(|c| format!("({})", self.cond(c, depth + 1)))
                    .collect();
                if parts.is_empty() {
                    "true".into()
                } else {
                    parts.join(op)
                }
            }
        }
    }
}

fn target(t: &TargetDesc) -> String {
    match t {
        TargetDesc::Chain {
            model: m,
            fallbacks,
            max_tokens,
            tag,
        } => {
            let mut s = model(*m).to_string();
            if !fallbacks.is_empty() {
                s.push_str(" fallback ");
                s.push_str(&list(&fallbacks[..fallbacks.len().min(3)], |m| {
                    model(m).into()
                }));
            }
            if let Some(n) = max_tokens {
                let _ = write!(s, " max_tokens {}", u32::from(*n) + 1);
            }
            if *tag {
                s.push_str(" tag \"x\"");
            }
            s
        }
        TargetDesc::Named(None) => "t".into(),
        TargetDesc::Named(Some(n)) => format!("t max_tokens {}", u32::from(*n) + 1),
        TargetDesc::Split(key, arms) => {
            let key = match key {
                SplitKey::User => "user",
                SplitKey::Tier => "tier",
                SplitKey::Tenant => "tenant",
                SplitKey::Tools => "tools",
                SplitKey::Task => "task",
            };
            let arms: Vec<(u32, ModelDesc)> = if arms.is_empty() {
                vec![(1, ModelDesc::A)]
            } else {
                arms.iter()
                    .take(4)
                    .map(|&(w, m)| (u32::from(w % 100) + 1, m))
                    .collect()
            };
            // Weights in basis points adding up to exactly 10,000.
            let total: u32 = arms.iter().map(|a| a.0).sum();
            let mut left = 10_000;
            let mut s = format!("split by {key} {{");
            for (i, (w, m)) in arms.iter().enumerate() {
                let bp = if i + 1 == arms.len() {
                    left
                } else {
                    w * 10_000 / total
                };
                left -= bp;
                let _ = write!(s, " arm{i} {}.{:02}%: {}", bp / 100, bp % 100, model(*m));
            }
            s.push_str(" }");
            s
        }
    }
}

impl RulesetDesc {
    /// The ruleset as source text.
    pub fn render(&self) -> String {
        let mut src = SCHEMA.to_string();
        let mut r = Render { atoms: 0, lets: 0 };
        for (i, l) in self.lets.iter().take(MAX_LETS).enumerate() {
            r.lets = i;
            let c = r.cond(l, 0);
            let _ = writeln!(src, "let l{i} = {c}");
        }
        r.lets = self.lets.len().min(MAX_LETS);
        for (i, rule) in self.rules.iter().take(MAX_RULES).enumerate() {
            let cond = match &rule.cond {
                Some(c) => format!("when {}", r.cond(c, 0)),
                None => "otherwise".into(),
            };
            let priority = if self.priorities {
                format!(" priority {}", rule.priority)
            } else {
                String::new()
            };
            let head = match (rule.named, self.priorities) {
                (true, _) => format!("rule r{i}{priority}: "),
                (false, true) => format!("rule{priority}: "),
                (false, false) => String::new(),
            };
            let _ = writeln!(src, "{head}{cond} -> {}", target(&rule.target));
        }
        if self.catch_all {
            let priority = if self.priorities {
                " priority 32767"
            } else {
                ""
            };
            let _ = writeln!(src, "rule last{priority}: otherwise -> a");
        }
        src
    }
}
