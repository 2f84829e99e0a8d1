//! [`ErrorCode`]: the stable `RPxxxx` code of every error, the list of all
//! codes and each code's text.

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
        let docs = include_str!("../../../docs/errors.md");
        for c in ErrorCode::ALL {
            let heading = format!("## {}", c.as_str());
            assert!(
                docs.lines().any(|l| l.starts_with(&heading)),
                "{c} has no `{heading}` section in docs/errors.md"
            );
        }
    }
}
