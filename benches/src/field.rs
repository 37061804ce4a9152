//! The eight request fields the workload routes on, and their types.

/// A request field a condition may test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// The customer's id, `t1000` to `t2999` (string).
    Tenant,
    /// `free`, `basic`, `pro` or `enterprise` (string).
    UserTier,
    /// `chat`, `code`, `analysis`, `classification` or `general` (string).
    TaskType,
    /// Money left on the account (float).
    BudgetRemaining,
    /// Estimated prompt size in tokens (int).
    PromptTokensEst,
    /// Whether the request calls tools (bool).
    NeedsTools,
    /// Whether the request carries images (bool).
    NeedsVision,
    /// The latency the caller asks for (int).
    MaxLatencyMs,
}

/// The type of a field's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldType {
    /// Text.
    Str,
    /// A 64-bit float.
    Float,
    /// A 64-bit integer.
    Int,
    /// `true` or `false`.
    Bool,
}

impl Field {
    /// Every field, in the order of [`crate::Request`]'s members (and of the
    /// `.route` context block).
    pub const ALL: [Field; 8] = [
        Field::Tenant,
        Field::UserTier,
        Field::TaskType,
        Field::BudgetRemaining,
        Field::PromptTokensEst,
        Field::NeedsTools,
        Field::NeedsVision,
        Field::MaxLatencyMs,
    ];

    /// The field's name in JSON and in `.route` files.
    pub fn name(self) -> &'static str {
        match self {
            Field::Tenant => "tenant",
            Field::UserTier => "user_tier",
            Field::TaskType => "task_type",
            Field::BudgetRemaining => "budget_remaining",
            Field::PromptTokensEst => "prompt_tokens_est",
            Field::NeedsTools => "needs_tools",
            Field::NeedsVision => "needs_vision",
            Field::MaxLatencyMs => "max_latency_ms",
        }
    }

    /// The type of the field's values.
    pub fn field_type(self) -> FieldType {
        match self {
            Field::Tenant | Field::UserTier | Field::TaskType => FieldType::Str,
            Field::BudgetRemaining => FieldType::Float,
            Field::PromptTokensEst | Field::MaxLatencyMs => FieldType::Int,
            Field::NeedsTools | Field::NeedsVision => FieldType::Bool,
        }
    }
}

impl FieldType {
    /// The type's name in a `.route` context block.
    pub fn route_name(self) -> &'static str {
        match self {
            FieldType::Str => "string",
            FieldType::Float => "float",
            FieldType::Int => "int",
            FieldType::Bool => "bool",
        }
    }
}
