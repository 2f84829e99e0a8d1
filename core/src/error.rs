//! The error types.
//!
//! Every error carries a stable [`ErrorCode`] (`RP0102`, see
//! `docs/errors.md`). Every error that comes from outside input carries a
//! location: a `file:line:column` span for policies ([`SourceLocation`]) or
//! a JSON path (and the input's name and position, when known) for facts.
//! Messages are short, lowercase, and quote the offending input in
//! backticks; a hint, where one helps, is a separate accessor
//! ([`Error::hint`]), not part of `Display`.

use std::fmt;

/// The stable code of an error, rustc-style (`RP0102`): the first two
/// digits name the family, the last two the problem.
///
/// | Family | Codes |
/// |---|---|
/// | policy documents: YAML, schema, ids, layering, files | `RP01xx` |
/// | CEL expressions: syntax and static checks | `RP02xx` |
/// | rule definitions: thresholds, windows, quorums | `RP03xx` |
/// | facts: syntax, schema, values, limits | `RP04xx` |
/// | evaluation | `RP05xx` |
/// | I/O | `RP06xx` |
/// | warnings (`lint`) | `RP07xx` |
/// | catalogs, calendars and release plans | `RP08xx` |
/// | release records and reviews | `RP09xx` |
/// | the audit archive: chain, checkpoints, storage, replay | `RP10xx` |
///
/// A code, once given, keeps its meaning; `docs/errors.md` explains each
/// with an example and the fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// `RP0101`: A policy file is not well-formed YAML.
    PolicyYamlSyntax,
    /// `RP0102`: A policy document has a field the policy schema does not know.
    PolicyUnknownField,
    /// `RP0103`: A policy field has the wrong type or a required field is missing.
    PolicyInvalidField,
    /// `RP0104`: A document's `apiVersion` is not `release-policy/v1`.
    UnsupportedApiVersion,
    /// `RP0105`: A document's `kind` is not one this file may hold.
    UnsupportedKind,
    /// `RP0106`: A layer defines the same policy name twice.
    DuplicatePolicy,
    /// `RP0107`: Two rules of the bundle share an id.
    DuplicateRuleId,
    /// `RP0108`: `metadata.version` is not a semantic version.
    InvalidPolicyVersion,
    /// `RP0109`: A policy directory holds no policy files.
    NoPolicyFiles,
    /// `RP0110`: A bundle was built without any policy layer.
    NoLayers,
    /// `RP0111`: A later layer loosens, disables or redefines what an earlier layer fixed.
    LayerLoosens,
    /// `RP0112`: A later layer gives a policy another `kind`.
    LayerChangesKind,
    /// `RP0113`: `disable` names a rule the policy does not have.
    DisableUnknownRule,
    /// `RP0114`: A policy or test file nests `[`/`{` deeper than the limit.
    PolicyTooDeep,
    /// `RP0115`: A policy or test file is not valid UTF-8.
    PolicyNotUtf8,
    /// `RP0116`: A policy or test file is larger than the limit.
    PolicyTooLarge,
    /// `RP0117`: A rule section is in the wrong kind of policy.
    MisplacedSection,
    /// `RP0118`: A policy declares a variable twice.
    DuplicateVariable,
    /// `RP0119`: The policies of a bundle hold no rules at all.
    NoRules,
    /// `RP0120`: No rule of the bundle has the id asked for.
    UnknownRule,
    /// `RP0121`: A policy file uses a YAML alias (`*name`).
    PolicyYamlAlias,
    /// `RP0122`: A mapping of a policy gives the same key twice.
    PolicyDuplicateKey,
    /// `RP0123`: A file in a policy directory is neither a policy nor a
    /// policy test, or not a regular file.
    NotAPolicyFile,
    /// `RP0130`: A quality gate's criteria string is not one Keptn writes
    /// (`<=800`, `<+10%`, `>=-5%`).
    InvalidCriteria,
    /// `RP0131`: A count or limit is 0 where 0 means nothing (`count`,
    /// `consecutiveSuccessLimit`, `numberOfComparisonResults`, a weight).
    InvalidLimit,
    /// `RP0132`: A quality gate's `aggregateFunction` is not `avg` or a
    /// percentile `pN` with 0 < N < 100.
    InvalidAggregate,
    /// `RP0201`: A CEL expression does not parse.
    CelSyntax,
    /// `RP0202`: An expression names something that is neither a fact root, a variable nor a local.
    UnknownName,
    /// `RP0203`: An expression reads a field the facts do not have.
    UnknownFactField,
    /// `RP0204`: An expression reads a variable that is not declared before it.
    UnknownVariable,
    /// `RP0205`: A condition does not give a bool, or a message expression a string.
    WrongResultType,
    /// `RP0206`: An operation is applied to values of the wrong type.
    TypeMismatch,
    /// `RP0207`: An expression is longer or larger than the limits.
    ExpressionTooLong,
    /// `RP0208`: An expression nests deeper than the limits.
    ExpressionTooDeep,
    /// `RP0209`: An expression calls a function that does not exist.
    UnknownFunction,
    /// `RP0210`: An expression uses a construct the engine refuses.
    UnsupportedExpression,
    /// `RP0211`: A `duration(...)` or `timestamp(...)` literal is malformed.
    InvalidLiteral,
    /// `RP0301`: A threshold is not finite, not allowed here, or out of order.
    InvalidThreshold,
    /// `RP0302`: A window or duration is zero, negative or out of order.
    InvalidWindow,
    /// `RP0303`: An approval names no roles, or asks a quorum larger than its roles.
    InvalidQuorum,
    /// `RP0304`: A list of a rule names the same item twice.
    DuplicateEntry,
    /// `RP0305`: A rule lacks a part it needs, or holds parts that do not go together.
    IncompleteRule,
    /// `RP0306`: A ratio or factor of a rule is not a positive number.
    InvalidRatio,
    /// `RP0401`: Facts are not well-formed YAML or JSON.
    FactsSyntax,
    /// `RP0402`: Facts have a field the facts schema does not know.
    FactsUnknownField,
    /// `RP0403`: A facts value has the wrong type, or a required field is missing.
    FactsWrongType,
    /// `RP0404`: A facts value has the right type but an impossible value.
    FactsInvalidValue,
    /// `RP0405`: Facts are larger than the size limit.
    FactsTooLarge,
    /// `RP0406`: Facts exceed a limit other than size: list length or nesting.
    FactsOverLimit,
    /// `RP0407`: Facts bytes are not valid UTF-8.
    FactsNotUtf8,
    /// `RP0408`: Facts use a YAML alias (`*name`).
    FactsYamlAlias,
    /// `RP0409`: A mapping of the facts gives the same key twice.
    FactsDuplicateKey,
    /// `RP0501`: The bundle holds no policy of the kind the call evaluates.
    NoPolicyOfKind,
    /// `RP0502`: The built-in policy pack did not compile.
    BuiltinPackBroken,
    /// `RP0503`: The evaluation failed for a reason outside the policies.
    EvaluationFailed,
    /// `RP0504`: The caller interrupted the evaluation (Ctrl-C in Python).
    Interrupted,
    /// `RP0601`: A file or directory could not be read.
    ReadFailed,
    /// `RP0602`: A policy directory is not a directory.
    NotADirectory,
    /// `RP0801`: A catalog or release-plan file is not well-formed YAML, or is too large, too deep or uses an alias.
    CatalogSyntax,
    /// `RP0802`: A catalog or release-plan document has a field its schema does not know.
    CatalogUnknownField,
    /// `RP0803`: A catalog or release-plan field has the wrong type or an impossible value, or a required field is missing.
    CatalogInvalidField,
    /// `RP0804`: A service, calendar, environment, API version or release is named twice.
    DuplicateName,
    /// `RP0805`: A catalog or release plan names a service, API or environment the catalog does not have.
    UnknownReference,
    /// `RP0806`: A version is not a semantic version, or a requirement not a semver requirement.
    InvalidVersion,
    /// `RP0807`: An OpenAPI document named by the catalog cannot be read or is not OpenAPI 3.
    InvalidOpenApi,
    /// `RP0808`: A calendar has an unknown time zone, a malformed or inverted window or freeze.
    InvalidCalendar,
    /// `RP0809`: A catalog or release plan is larger than the limits (services, dependencies, releases).
    CatalogOverLimit,
    /// `RP0810`: A catalog directory holds no catalog files.
    NoCatalogFiles,
    /// `RP0811`: A consumer's `uses` entry is not `METHOD /path`.
    InvalidOperation,
    /// `RP0901`: A records file is not well-formed YAML or JSON, or is too large, too deep or uses an alias.
    RecordsSyntax,
    /// `RP0902`: A release record has a field the record schema does not know.
    RecordsUnknownField,
    /// `RP0903`: A record field has the wrong type or an impossible value, or a required field is missing.
    RecordsInvalidField,
    /// `RP0904`: Two release records have the same release id.
    DuplicateRecord,
    /// `RP0905`: A record's times are out of order, or its outcome lacks the parts it needs.
    InconsistentRecord,
    /// `RP0906`: A record names a service the catalog does not have.
    UnknownRecordService,
    /// `RP0907`: The records are more than the limits allow.
    RecordsOverLimit,
    /// `RP0908`: A records directory holds no record files.
    NoRecordFiles,
    /// `RP0909`: A review period ends before it starts, or a review names nothing the records hold.
    InvalidPeriod,
    /// `RP1001`: The audit chain does not verify: a record was changed, removed, reordered or inserted.
    ChainBroken,
    /// `RP1002`: A checkpoint's signature does not verify with the given key, or it does not match the chain.
    InvalidCheckpoint,
    /// `RP1003`: A key file is not an Ed25519 key in PEM (PKCS#8 private, SPKI public).
    InvalidKey,
    /// `RP1004`: The archive cannot be opened: not a database, a server that is down or refuses the login.
    ArchiveUnavailable,
    /// `RP1005`: The archive was written by a newer schema than this binary knows.
    ArchiveSchemaNewer,
    /// `RP1006`: An append to the archive failed (disk full, read-only, connection lost); nothing was recorded.
    ArchiveWriteFailed,
    /// `RP1007`: A stored archive record or bundle does not parse.
    ArchiveCorrupt,
    /// `RP1008`: A replayed decision differs from the archived one, or its bundle is not in the archive.
    ReplayMismatch,
    /// `RP1009`: An archive command's arguments are malformed (a date, a range, a missing input).
    InvalidArchiveQuery,
    /// `RP0701` (a warning): An operand of `||` or `&&` reads a fact that may
    /// be absent, and the operator can absorb the error.
    AbsorbedError,
}

impl ErrorCode {
    /// Every code, in order.
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::PolicyYamlSyntax,
        ErrorCode::PolicyUnknownField,
        ErrorCode::PolicyInvalidField,
        ErrorCode::UnsupportedApiVersion,
        ErrorCode::UnsupportedKind,
        ErrorCode::DuplicatePolicy,
        ErrorCode::DuplicateRuleId,
        ErrorCode::InvalidPolicyVersion,
        ErrorCode::NoPolicyFiles,
        ErrorCode::NoLayers,
        ErrorCode::LayerLoosens,
        ErrorCode::LayerChangesKind,
        ErrorCode::DisableUnknownRule,
        ErrorCode::PolicyTooDeep,
        ErrorCode::PolicyNotUtf8,
        ErrorCode::PolicyTooLarge,
        ErrorCode::MisplacedSection,
        ErrorCode::DuplicateVariable,
        ErrorCode::NoRules,
        ErrorCode::UnknownRule,
        ErrorCode::PolicyYamlAlias,
        ErrorCode::PolicyDuplicateKey,
        ErrorCode::NotAPolicyFile,
        ErrorCode::InvalidCriteria,
        ErrorCode::InvalidLimit,
        ErrorCode::InvalidAggregate,
        ErrorCode::CelSyntax,
        ErrorCode::UnknownName,
        ErrorCode::UnknownFactField,
        ErrorCode::UnknownVariable,
        ErrorCode::WrongResultType,
        ErrorCode::TypeMismatch,
        ErrorCode::ExpressionTooLong,
        ErrorCode::ExpressionTooDeep,
        ErrorCode::UnknownFunction,
        ErrorCode::UnsupportedExpression,
        ErrorCode::InvalidLiteral,
        ErrorCode::InvalidThreshold,
        ErrorCode::InvalidWindow,
        ErrorCode::InvalidQuorum,
        ErrorCode::DuplicateEntry,
        ErrorCode::IncompleteRule,
        ErrorCode::InvalidRatio,
        ErrorCode::FactsSyntax,
        ErrorCode::FactsUnknownField,
        ErrorCode::FactsWrongType,
        ErrorCode::FactsInvalidValue,
        ErrorCode::FactsTooLarge,
        ErrorCode::FactsOverLimit,
        ErrorCode::FactsNotUtf8,
        ErrorCode::FactsYamlAlias,
        ErrorCode::FactsDuplicateKey,
        ErrorCode::NoPolicyOfKind,
        ErrorCode::BuiltinPackBroken,
        ErrorCode::EvaluationFailed,
        ErrorCode::Interrupted,
        ErrorCode::ReadFailed,
        ErrorCode::NotADirectory,
        ErrorCode::CatalogSyntax,
        ErrorCode::CatalogUnknownField,
        ErrorCode::CatalogInvalidField,
        ErrorCode::DuplicateName,
        ErrorCode::UnknownReference,
        ErrorCode::InvalidVersion,
        ErrorCode::InvalidOpenApi,
        ErrorCode::InvalidCalendar,
        ErrorCode::CatalogOverLimit,
        ErrorCode::NoCatalogFiles,
        ErrorCode::InvalidOperation,
        ErrorCode::RecordsSyntax,
        ErrorCode::RecordsUnknownField,
        ErrorCode::RecordsInvalidField,
        ErrorCode::DuplicateRecord,
        ErrorCode::InconsistentRecord,
        ErrorCode::UnknownRecordService,
        ErrorCode::RecordsOverLimit,
        ErrorCode::NoRecordFiles,
        ErrorCode::InvalidPeriod,
        ErrorCode::ChainBroken,
        ErrorCode::InvalidCheckpoint,
        ErrorCode::InvalidKey,
        ErrorCode::ArchiveUnavailable,
        ErrorCode::ArchiveSchemaNewer,
        ErrorCode::ArchiveWriteFailed,
        ErrorCode::ArchiveCorrupt,
        ErrorCode::ReplayMismatch,
        ErrorCode::InvalidArchiveQuery,
        ErrorCode::AbsorbedError,
    ];

    /// Whether the code is a warning (`RP07xx`): reported by `lint` and
    /// kept in [`Bundle::warnings`](crate::Bundle::warnings), never failing
    /// a load.
    pub fn is_warning(self) -> bool {
        matches!(self, ErrorCode::AbsorbedError)
    }

    /// The code as text: `"RP0102"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::PolicyYamlSyntax => "RP0101",
            ErrorCode::PolicyUnknownField => "RP0102",
            ErrorCode::PolicyInvalidField => "RP0103",
            ErrorCode::UnsupportedApiVersion => "RP0104",
            ErrorCode::UnsupportedKind => "RP0105",
            ErrorCode::DuplicatePolicy => "RP0106",
            ErrorCode::DuplicateRuleId => "RP0107",
            ErrorCode::InvalidPolicyVersion => "RP0108",
            ErrorCode::NoPolicyFiles => "RP0109",
            ErrorCode::NoLayers => "RP0110",
            ErrorCode::LayerLoosens => "RP0111",
            ErrorCode::LayerChangesKind => "RP0112",
            ErrorCode::DisableUnknownRule => "RP0113",
            ErrorCode::PolicyTooDeep => "RP0114",
            ErrorCode::PolicyNotUtf8 => "RP0115",
            ErrorCode::PolicyTooLarge => "RP0116",
            ErrorCode::MisplacedSection => "RP0117",
            ErrorCode::DuplicateVariable => "RP0118",
            ErrorCode::NoRules => "RP0119",
            ErrorCode::UnknownRule => "RP0120",
            ErrorCode::PolicyYamlAlias => "RP0121",
            ErrorCode::PolicyDuplicateKey => "RP0122",
            ErrorCode::NotAPolicyFile => "RP0123",
            ErrorCode::InvalidCriteria => "RP0130",
            ErrorCode::InvalidLimit => "RP0131",
            ErrorCode::InvalidAggregate => "RP0132",
            ErrorCode::CelSyntax => "RP0201",
            ErrorCode::UnknownName => "RP0202",
            ErrorCode::UnknownFactField => "RP0203",
            ErrorCode::UnknownVariable => "RP0204",
            ErrorCode::WrongResultType => "RP0205",
            ErrorCode::TypeMismatch => "RP0206",
            ErrorCode::ExpressionTooLong => "RP0207",
            ErrorCode::ExpressionTooDeep => "RP0208",
            ErrorCode::UnknownFunction => "RP0209",
            ErrorCode::UnsupportedExpression => "RP0210",
            ErrorCode::InvalidLiteral => "RP0211",
            ErrorCode::InvalidThreshold => "RP0301",
            ErrorCode::InvalidWindow => "RP0302",
            ErrorCode::InvalidQuorum => "RP0303",
            ErrorCode::DuplicateEntry => "RP0304",
            ErrorCode::IncompleteRule => "RP0305",
            ErrorCode::InvalidRatio => "RP0306",
            ErrorCode::FactsSyntax => "RP0401",
            ErrorCode::FactsUnknownField => "RP0402",
            ErrorCode::FactsWrongType => "RP0403",
            ErrorCode::FactsInvalidValue => "RP0404",
            ErrorCode::FactsTooLarge => "RP0405",
            ErrorCode::FactsOverLimit => "RP0406",
            ErrorCode::FactsNotUtf8 => "RP0407",
            ErrorCode::FactsYamlAlias => "RP0408",
            ErrorCode::FactsDuplicateKey => "RP0409",
            ErrorCode::NoPolicyOfKind => "RP0501",
            ErrorCode::BuiltinPackBroken => "RP0502",
            ErrorCode::EvaluationFailed => "RP0503",
            ErrorCode::Interrupted => "RP0504",
            ErrorCode::ReadFailed => "RP0601",
            ErrorCode::NotADirectory => "RP0602",
            ErrorCode::CatalogSyntax => "RP0801",
            ErrorCode::CatalogUnknownField => "RP0802",
            ErrorCode::CatalogInvalidField => "RP0803",
            ErrorCode::DuplicateName => "RP0804",
            ErrorCode::UnknownReference => "RP0805",
            ErrorCode::InvalidVersion => "RP0806",
            ErrorCode::InvalidOpenApi => "RP0807",
            ErrorCode::InvalidCalendar => "RP0808",
            ErrorCode::CatalogOverLimit => "RP0809",
            ErrorCode::NoCatalogFiles => "RP0810",
            ErrorCode::InvalidOperation => "RP0811",
            ErrorCode::RecordsSyntax => "RP0901",
            ErrorCode::RecordsUnknownField => "RP0902",
            ErrorCode::RecordsInvalidField => "RP0903",
            ErrorCode::DuplicateRecord => "RP0904",
            ErrorCode::InconsistentRecord => "RP0905",
            ErrorCode::UnknownRecordService => "RP0906",
            ErrorCode::RecordsOverLimit => "RP0907",
            ErrorCode::NoRecordFiles => "RP0908",
            ErrorCode::InvalidPeriod => "RP0909",
            ErrorCode::ChainBroken => "RP1001",
            ErrorCode::InvalidCheckpoint => "RP1002",
            ErrorCode::InvalidKey => "RP1003",
            ErrorCode::ArchiveUnavailable => "RP1004",
            ErrorCode::ArchiveSchemaNewer => "RP1005",
            ErrorCode::ArchiveWriteFailed => "RP1006",
            ErrorCode::ArchiveCorrupt => "RP1007",
            ErrorCode::ReplayMismatch => "RP1008",
            ErrorCode::InvalidArchiveQuery => "RP1009",
            ErrorCode::AbsorbedError => "RP0701",
        }
    }

    /// What the code means, in one line.
    pub fn summary(self) -> &'static str {
        match self {
            ErrorCode::PolicyYamlSyntax => "a policy file is not well-formed YAML",
            ErrorCode::PolicyUnknownField => {
                "a policy document has a field the policy schema does not know"
            }
            ErrorCode::PolicyInvalidField => {
                "a policy field has the wrong type or a required field is missing"
            }
            ErrorCode::UnsupportedApiVersion => {
                "a document's `apiVersion` is not `release-policy/v1`"
            }
            ErrorCode::UnsupportedKind => "a document's `kind` is not one this file may hold",
            ErrorCode::DuplicatePolicy => "a layer defines the same policy name twice",
            ErrorCode::DuplicateRuleId => "two rules of the bundle share an id",
            ErrorCode::InvalidPolicyVersion => "`metadata.version` is not a semantic version",
            ErrorCode::NoPolicyFiles => "a policy directory holds no policy files",
            ErrorCode::NoLayers => "a bundle was built without any policy layer",
            ErrorCode::LayerLoosens => {
                "a later layer loosens, disables or redefines what an earlier layer fixed"
            }
            ErrorCode::LayerChangesKind => "a later layer gives a policy another `kind`",
            ErrorCode::DisableUnknownRule => "`disable` names a rule the policy does not have",
            ErrorCode::PolicyTooDeep => "a policy or test file nests `[`/`{` deeper than the limit",
            ErrorCode::PolicyNotUtf8 => "a policy or test file is not valid UTF-8",
            ErrorCode::PolicyTooLarge => "a policy or test file is larger than the limit",
            ErrorCode::MisplacedSection => "a rule section is in the wrong kind of policy",
            ErrorCode::DuplicateVariable => "a policy declares a variable twice",
            ErrorCode::NoRules => "the policies of a bundle hold no rules at all",
            ErrorCode::UnknownRule => "no rule of the bundle has the id asked for",
            ErrorCode::PolicyYamlAlias => "a policy file uses a YAML alias",
            ErrorCode::PolicyDuplicateKey => "a mapping of a policy gives the same key twice",
            ErrorCode::NotAPolicyFile => {
                "a file in a policy directory is neither a policy nor a policy test"
            }
            ErrorCode::InvalidCriteria => "a quality gate's criteria string is malformed",
            ErrorCode::InvalidLimit => "a count or limit is 0 where 0 means nothing",
            ErrorCode::InvalidAggregate => {
                "a quality gate's `aggregateFunction` is not `avg` or a percentile `pN`"
            }
            ErrorCode::CelSyntax => "a CEL expression does not parse",
            ErrorCode::UnknownName => {
                "an expression names something that is neither a fact root, a variable nor a local"
            }
            ErrorCode::UnknownFactField => "an expression reads a field the facts do not have",
            ErrorCode::UnknownVariable => {
                "an expression reads a variable that is not declared before it"
            }
            ErrorCode::WrongResultType => {
                "a condition does not give a bool, or a message expression a string"
            }
            ErrorCode::TypeMismatch => "an operation is applied to values of the wrong type",
            ErrorCode::ExpressionTooLong => "an expression is longer or larger than the limits",
            ErrorCode::ExpressionTooDeep => "an expression nests deeper than the limits",
            ErrorCode::UnknownFunction => "an expression calls a function that does not exist",
            ErrorCode::UnsupportedExpression => "an expression uses a construct the engine refuses",
            ErrorCode::InvalidLiteral => {
                "a `duration(...)` or `timestamp(...)` literal is malformed"
            }
            ErrorCode::InvalidThreshold => {
                "a threshold is not finite, not allowed here, or out of order"
            }
            ErrorCode::InvalidWindow => "a window or duration is zero, negative or out of order",
            ErrorCode::InvalidQuorum => {
                "an approval names no roles, or asks a quorum larger than its roles"
            }
            ErrorCode::DuplicateEntry => "a list of a rule names the same item twice",
            ErrorCode::IncompleteRule => {
                "a rule lacks a part it needs, or holds parts that do not go together"
            }
            ErrorCode::InvalidRatio => "a ratio or factor of a rule is not a positive number",
            ErrorCode::FactsSyntax => "facts are not well-formed YAML or JSON",
            ErrorCode::FactsUnknownField => "facts have a field the facts schema does not know",
            ErrorCode::FactsWrongType => {
                "a facts value has the wrong type, or a required field is missing"
            }
            ErrorCode::FactsInvalidValue => {
                "a facts value has the right type but an impossible value"
            }
            ErrorCode::FactsTooLarge => "facts are larger than the size limit",
            ErrorCode::FactsOverLimit => {
                "facts exceed a limit other than size: list length or nesting"
            }
            ErrorCode::FactsNotUtf8 => "facts bytes are not valid UTF-8",
            ErrorCode::FactsYamlAlias => "facts use a YAML alias",
            ErrorCode::FactsDuplicateKey => "a mapping of the facts gives the same key twice",
            ErrorCode::NoPolicyOfKind => {
                "the bundle holds no policy of the kind the call evaluates"
            }
            ErrorCode::BuiltinPackBroken => "the built-in policy pack did not compile",
            ErrorCode::EvaluationFailed => {
                "the evaluation failed for a reason outside the policies"
            }
            ErrorCode::Interrupted => "the caller interrupted the evaluation",
            ErrorCode::ReadFailed => "a file or directory could not be read",
            ErrorCode::NotADirectory => "a policy directory is not a directory",
            ErrorCode::CatalogSyntax => {
                "a catalog or release-plan file is not well-formed YAML, or is too large, too deep or uses an alias"
            }
            ErrorCode::CatalogUnknownField => {
                "a catalog or release-plan document has a field its schema does not know"
            }
            ErrorCode::CatalogInvalidField => {
                "a catalog or release-plan field has the wrong type or an impossible value, or a required field is missing"
            }
            ErrorCode::DuplicateName => {
                "a service, calendar, environment, API version or release is named twice"
            }
            ErrorCode::UnknownReference => {
                "a catalog or release plan names a service, API or environment the catalog does not have"
            }
            ErrorCode::InvalidVersion => {
                "a version is not a semantic version, or a requirement not a semver requirement"
            }
            ErrorCode::InvalidOpenApi => {
                "an OpenAPI document named by the catalog cannot be read or is not OpenAPI 3"
            }
            ErrorCode::InvalidCalendar => {
                "a calendar has an unknown time zone, a malformed or inverted window or freeze"
            }
            ErrorCode::CatalogOverLimit => "a catalog or release plan is larger than the limits",
            ErrorCode::NoCatalogFiles => "a catalog directory holds no catalog files",
            ErrorCode::InvalidOperation => "a consumer's `uses` entry is not `METHOD /path`",
            ErrorCode::RecordsSyntax => {
                "a records file is not well-formed YAML or JSON, or is too large, too deep or uses an alias"
            }
            ErrorCode::RecordsUnknownField => {
                "a release record has a field the record schema does not know"
            }
            ErrorCode::RecordsInvalidField => {
                "a record field has the wrong type or an impossible value, or a required field is missing"
            }
            ErrorCode::DuplicateRecord => "two release records have the same release id",
            ErrorCode::InconsistentRecord => {
                "a record's times are out of order, or its outcome lacks the parts it needs"
            }
            ErrorCode::UnknownRecordService => "a record names a service the catalog does not have",
            ErrorCode::RecordsOverLimit => "the records are more than the limits allow",
            ErrorCode::NoRecordFiles => "a records directory holds no record files",
            ErrorCode::InvalidPeriod => {
                "a review period ends before it starts, or a review names nothing the records hold"
            }
            ErrorCode::ChainBroken => {
                "the audit chain does not verify: a record was changed, removed, reordered or inserted"
            }
            ErrorCode::InvalidCheckpoint => {
                "a checkpoint's signature does not verify with the given key, or it does not match the chain"
            }
            ErrorCode::InvalidKey => {
                "a key file is not an Ed25519 key in PEM (PKCS#8 private, SPKI public)"
            }
            ErrorCode::ArchiveUnavailable => {
                "the archive cannot be opened: not a database, a server that is down or refuses the login"
            }
            ErrorCode::ArchiveSchemaNewer => {
                "the archive was written by a newer schema than this binary knows"
            }
            ErrorCode::ArchiveWriteFailed => {
                "an append to the archive failed (disk full, read-only, connection lost); nothing was recorded"
            }
            ErrorCode::ArchiveCorrupt => "a stored archive record or bundle does not parse",
            ErrorCode::ReplayMismatch => {
                "a replayed decision differs from the archived one, or its bundle is not in the archive"
            }
            ErrorCode::InvalidArchiveQuery => {
                "an archive command's arguments are malformed (a date, a range, a missing input)"
            }
            ErrorCode::AbsorbedError => {
                "an operand of `||` or `&&` reads a fact that may be absent, and the operator can absorb the error"
            }
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A place in a policy source: file (or the name given to a string), and a
/// span from `line:column` to `end_line:end_column`, all 1-based. Line 0
/// means "the whole file"; an end of 0 means the end is not known. The end
/// is inclusive: the span of `abc` at column 5 ends at column 7.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct SourceLocation {
    /// The file path, or the name a string source was given.
    pub file: String,
    /// 1-based line; 0 when unknown.
    pub line: usize,
    /// 1-based column; 0 when unknown.
    pub column: usize,
    /// 1-based last line of the span; 0 when unknown.
    pub end_line: usize,
    /// 1-based last column of the span; 0 when unknown.
    pub end_column: usize,
}

impl SourceLocation {
    /// A location naming only a file.
    pub fn file(file: impl Into<String>) -> Self {
        Self::new(file, 0, 0)
    }

    /// A location with line and column; the span ends where it starts.
    pub fn new(file: impl Into<String>, line: usize, column: usize) -> Self {
        Self {
            file: file.into(),
            line,
            column,
            end_line: line,
            end_column: column,
        }
    }

    /// The same start with the span ending at `end_line:end_column`.
    pub fn to(mut self, end_line: usize, end_column: usize) -> Self {
        self.end_line = end_line;
        self.end_column = end_column;
        self
    }
}

impl fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (0, _) => write!(f, "{}", self.file),
            (l, 0) => write!(f, "{}:{l}", self.file),
            (l, c) => write!(f, "{}:{l}:{c}", self.file),
        }
    }
}

/// An error in a policy: loading, parsing, static checks or layering.
/// `Display` is `location: message`; the hint is [`PolicyError::hint`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct PolicyError {
    /// What kind of problem this is.
    pub code: ErrorCode,
    /// Where the problem is.
    pub location: SourceLocation,
    /// The rule the problem is in, when there is one.
    pub rule: Option<String>,
    /// What is wrong, lowercase, offending input in backticks.
    pub message: String,
    /// How to fix it, when a hint helps.
    pub hint: Option<String>,
}

impl PolicyError {
    /// A new policy error with `code` at `location`.
    pub fn new(code: ErrorCode, location: SourceLocation, message: impl Into<String>) -> Self {
        Self {
            code,
            location,
            rule: None,
            message: message.into(),
            hint: None,
        }
    }

    /// Attach the rule id.
    pub fn with_rule(mut self, rule: impl Into<String>) -> Self {
        self.rule = Some(rule.into());
        self
    }

    /// Attach a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The error's code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// How to fix it, when a hint helps.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }
}

/// An error in facts: malformed input, unknown fields, wrong types, limits.
/// `Display` is `input:line:column: path: message`, each part only when
/// known (the position only with the input's name); the hint is
/// [`FactsError::hint`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{}{message}", input_prefix(.input, .position), path_prefix(.path))]
pub struct FactsError {
    /// What kind of problem this is.
    pub code: ErrorCode,
    /// The name of the input (a file name, `<stdin>`), when known.
    pub input: Option<String>,
    /// JSON path of the offending value (`$.release.version`), when known.
    pub path: Option<String>,
    /// Line and column in the input text, when known (1-based).
    pub position: Option<(usize, usize)>,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when a hint helps.
    pub hint: Option<String>,
}

impl FactsError {
    /// A new facts error with `code`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            input: None,
            path: None,
            position: None,
            message: message.into(),
            hint: None,
        }
    }

    /// Attach the JSON path.
    pub fn at(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Attach a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Name the input the facts came from (a file name, `<stdin>`).
    pub fn with_input(mut self, input: impl Into<String>) -> Self {
        self.input = Some(input.into());
        self
    }

    /// The error's code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// How to fix it, when a hint helps.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// Where, as `Display` prints it before the message:
    /// `input:line:column: path` (each part when known, the position only
    /// with the input's name), or `None` when none is known.
    pub fn location(&self) -> Option<String> {
        let s = input_prefix(&self.input, &self.position) + &path_prefix(&self.path);
        s.strip_suffix(": ").map(str::to_string)
    }
}

/// `input:line:column: `, or `input: `, or nothing without an input.
fn input_prefix(input: &Option<String>, position: &Option<(usize, usize)>) -> String {
    match (input, position) {
        (Some(i), Some((l, c))) => format!("{i}:{l}:{c}: "),
        (Some(i), None) => format!("{i}: "),
        (None, _) => String::new(),
    }
}

fn path_prefix(path: &Option<String>) -> String {
    match path {
        Some(p) => format!("{p}: "),
        None => String::new(),
    }
}

/// An error in a catalog, a calendar or a release plan (`RP08xx`, and
/// the CEL codes for a freeze exemption): where it is (`file:line:column`),
/// what is wrong, and a hint where one helps. `Display` is `location:
/// message`; the hint is [`CatalogError::hint`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct CatalogError {
    /// What kind of problem this is.
    pub code: ErrorCode,
    /// Where the problem is.
    pub location: SourceLocation,
    /// What is wrong, lowercase, offending input in backticks.
    pub message: String,
    /// How to fix it, when a hint helps.
    pub hint: Option<String>,
}

impl CatalogError {
    /// A new catalog error with `code` at `location`.
    pub fn new(code: ErrorCode, location: SourceLocation, message: impl Into<String>) -> Self {
        Self {
            code,
            location,
            message: message.into(),
            hint: None,
        }
    }

    /// Attach a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The error's code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// How to fix it, when a hint helps.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }
}

/// Any error the library returns.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A policy could not be loaded, checked or layered.
    #[error(transparent)]
    Policy(Box<PolicyError>),
    /// Several policy errors found in one load (all are reported at once).
    #[error("{}", join_errors(.0))]
    Policies(Vec<PolicyError>),
    /// The facts are malformed or do not match the facts schema.
    #[error(transparent)]
    Facts(Box<FactsError>),
    /// The bundle could not evaluate the input at all (for instance the
    /// built-in pack failed to compile, or a value could not be serialised).
    /// Problems inside one rule are findings, never this error.
    #[error("evaluation failed: {message}")]
    Evaluation {
        /// What kind of problem this is (`RP05xx`).
        code: ErrorCode,
        /// What went wrong.
        message: String,
    },
    /// A catalog, calendar or release plan is malformed or inconsistent
    /// (every problem found, at once).
    #[error("{}", join_errors(.0))]
    Catalog(Vec<CatalogError>),
    /// Reading a file or directory failed.
    #[error("{path}: {message}")]
    Io {
        /// What kind of problem this is (`RP06xx`).
        code: ErrorCode,
        /// The path that could not be read.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The audit archive or its chain (`RP10xx`): a broken chain, a bad
    /// checkpoint or key, a database that cannot be opened or written.
    #[error("{}{message}", .location.as_ref().map(|l| format!("{l}: ")).unwrap_or_default())]
    Audit {
        /// What kind of problem this is (`RP10xx`).
        code: ErrorCode,
        /// Where: the archive (a path or a URL without its password), a
        /// record (`record 17`) or a key file.
        location: Option<String>,
        /// What went wrong.
        message: String,
        /// How to fix it, when a hint helps.
        hint: Option<String>,
    },
}

fn join_errors<E: ToString>(errors: &[E]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

impl Error {
    /// The policy errors in this error, if it is a policy error.
    pub fn policy_errors(&self) -> Vec<&PolicyError> {
        match self {
            Error::Policy(e) => vec![e.as_ref()],
            Error::Policies(es) => es.iter().collect(),
            _ => Vec::new(),
        }
    }

    /// The error's code; for several policy errors, the first's (an empty
    /// list, which the library never returns, gives `RP0103`).
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Policy(e) => e.code,
            Error::Policies(es) => es.first().map_or(ErrorCode::PolicyInvalidField, |e| e.code),
            Error::Facts(e) => e.code,
            Error::Catalog(es) => es
                .first()
                .map_or(ErrorCode::CatalogInvalidField, |e| e.code),
            Error::Evaluation { code, .. } | Error::Io { code, .. } | Error::Audit { code, .. } => {
                *code
            }
        }
    }

    /// How to fix it, when a hint helps; for several policy errors, the
    /// first's.
    pub fn hint(&self) -> Option<&str> {
        match self {
            Error::Policy(e) => e.hint(),
            Error::Policies(es) => es.first().and_then(PolicyError::hint),
            Error::Facts(e) => e.hint(),
            Error::Catalog(es) => es.first().and_then(CatalogError::hint),
            Error::Audit { hint, .. } => hint.as_deref(),
            Error::Evaluation { .. } | Error::Io { .. } => None,
        }
    }

    /// Where the problem is, as text: the policy location
    /// (`file:line:column`, the first's for several), the facts input,
    /// position and JSON path ([`FactsError::location`]), or the path that
    /// could not be read.
    pub fn location(&self) -> Option<String> {
        match self {
            Error::Policy(e) => Some(e.location.to_string()),
            Error::Policies(es) => es.first().map(|e| e.location.to_string()),
            Error::Facts(e) => e.location(),
            Error::Catalog(es) => es.first().map(|e| e.location.to_string()),
            Error::Io { path, .. } => Some(path.clone()),
            Error::Audit { location, .. } => location.clone(),
            Error::Evaluation { .. } => None,
        }
    }

    /// An evaluation error (`RP05xx`).
    pub fn evaluation(code: ErrorCode, message: impl Into<String>) -> Self {
        Error::Evaluation {
            code,
            message: message.into(),
        }
    }

    /// An audit-archive error (`RP10xx`) at `location` (an archive, a
    /// record, a key file), without a hint.
    pub fn audit(code: ErrorCode, location: Option<String>, message: impl Into<String>) -> Self {
        Error::Audit {
            code,
            location,
            message: message.into(),
            hint: None,
        }
    }

    /// The same error with a hint (only [`Error::Audit`] carries one this
    /// way; other errors are returned unchanged).
    pub fn with_hint(self, text: impl Into<String>) -> Self {
        match self {
            Error::Audit {
                code,
                location,
                message,
                ..
            } => Error::Audit {
                code,
                location,
                message,
                hint: Some(text.into()),
            },
            other => other,
        }
    }

    /// An I/O error (`RP06xx`) about `path`.
    pub fn io(code: ErrorCode, path: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Io {
            code,
            path: path.into(),
            message: message.into(),
        }
    }
}

impl From<PolicyError> for Error {
    fn from(e: PolicyError) -> Self {
        Error::Policy(Box::new(e))
    }
}

impl From<CatalogError> for Error {
    fn from(e: CatalogError) -> Self {
        Error::Catalog(vec![e])
    }
}

impl From<FactsError> for Error {
    fn from(e: FactsError) -> Self {
        Error::Facts(Box::new(e))
    }
}

impl From<Vec<PolicyError>> for Error {
    fn from(mut es: Vec<PolicyError>) -> Self {
        if es.len() == 1 {
            if let Some(e) = es.pop() {
                return Error::Policy(Box::new(e));
            }
        }
        Error::Policies(es)
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = std::collections::BTreeSet::new();
        for c in ErrorCode::ALL {
            let s = c.as_str();
            assert!(seen.insert(s), "{s} is given twice");
            assert_eq!(s.len(), 6, "{s}");
            assert!(s.starts_with("RP"), "{s}");
            assert!(s.chars().skip(2).all(|d| d.is_ascii_digit()), "{s}");
        }
    }

    #[test]
    fn every_code_is_documented() {
        let docs = include_str!("../../docs/errors.md");
        for c in ErrorCode::ALL {
            let heading = format!("## {}", c.as_str());
            assert!(
                docs.lines().any(|l| l.starts_with(&heading)),
                "{c} has no `{heading}` section in docs/errors.md"
            );
        }
    }

    #[test]
    fn display_leaves_the_hint_out() {
        let e = PolicyError::new(
            ErrorCode::PolicyUnknownField,
            SourceLocation::new("p.yaml", 6, 26),
            "unknown field `enviroment`",
        )
        .with_hint("did you mean `environment`?");
        assert_eq!(e.to_string(), "p.yaml:6:26: unknown field `enviroment`");
        assert_eq!(e.hint(), Some("did you mean `environment`?"));
        let f = FactsError::new(ErrorCode::FactsWrongType, "invalid type")
            .at("$.release.version")
            .with_input("facts.yaml");
        assert_eq!(f.to_string(), "facts.yaml: $.release.version: invalid type");
    }
}
