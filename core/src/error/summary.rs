//! The one-line meaning of every [`ErrorCode`] ([`ErrorCode::summary`]).

use super::ErrorCode;

impl ErrorCode {
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
