//! Why a change or a value is refused: a [`Reason`] with a stable code, and a message
//! for people. The hub answers with the code; replicas store it with a quarantined
//! change; scripts and tests branch on it, never on the message.

/// Why something may not be written. Never rename a code: it is stored and sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    /// The bytes are not an Automerge change, or do not match their hash.
    Undecodable,
    /// The document id is none of the known forms.
    BadDocId,
    /// The document id belongs to another scope than the one it was sent in.
    WrongScope,
    /// A lead's list holds something that is not an event (a non-string, not JSON).
    NotEvent,
    /// A JSON object repeats a key (two readers could see different values).
    DuplicateKey,
    /// A JSON object has a key its kind does not define.
    UnknownKey,
    /// An event kind this schema does not define.
    UnknownKind,
    /// A required key is missing or a value has the wrong type or form.
    Malformed,
    /// A text value holds control characters or bidi overrides.
    BadText,
    /// A value or list is longer than allowed.
    TooLong,
    /// An id (lead, rep, branch, event) has the wrong form.
    BadId,
    /// An edit of a lead's list other than appending an event (overwrite, delete,
    /// insert before its first event, write into an object that is no lead's list).
    NotAppend,
    /// A put or delete of a lead's root key after it was created.
    RootRewrite,
    /// A lead created without its `register` event first, or a `register` later on.
    RegisterMisplaced,
    /// The lead id already lives in another document.
    LeadElsewhere,
    /// An event written on behalf of another rep than the pushing device's.
    ForeignAuthor,
    /// An event kind only a manager may write.
    ManagerOnly,
    /// A decision on a case that is not the writer's to decide (a case across
    /// branches goes to the director by default, docs/RULES.md rule 17).
    NotTheDecider,
    /// A directory edit the writer may not make (others' entries, policy, deletes).
    DirectoryForbidden,
    /// A non-manager changed the name the directory has for them.
    RenameForbidden,
    /// The branch policy does not parse or is unusable.
    BadPolicy,
    /// The change depends on a change this replica has not got.
    MissingDependency,
    /// The change depends on a quarantined change.
    DependsOnQuarantined,
}

impl Reason {
    /// Every reason, for documentation and tests.
    pub const ALL: [Reason; 23] = [
        Reason::Undecodable,
        Reason::BadDocId,
        Reason::WrongScope,
        Reason::NotEvent,
        Reason::DuplicateKey,
        Reason::UnknownKey,
        Reason::UnknownKind,
        Reason::Malformed,
        Reason::BadText,
        Reason::TooLong,
        Reason::BadId,
        Reason::NotAppend,
        Reason::RootRewrite,
        Reason::RegisterMisplaced,
        Reason::LeadElsewhere,
        Reason::ForeignAuthor,
        Reason::ManagerOnly,
        Reason::NotTheDecider,
        Reason::DirectoryForbidden,
        Reason::RenameForbidden,
        Reason::BadPolicy,
        Reason::MissingDependency,
        Reason::DependsOnQuarantined,
    ];

    /// The stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Reason::Undecodable => "undecodable",
            Reason::BadDocId => "bad_doc_id",
            Reason::WrongScope => "wrong_scope",
            Reason::NotEvent => "not_event",
            Reason::DuplicateKey => "duplicate_key",
            Reason::UnknownKey => "unknown_key",
            Reason::UnknownKind => "unknown_kind",
            Reason::Malformed => "malformed",
            Reason::BadText => "bad_text",
            Reason::TooLong => "too_long",
            Reason::BadId => "bad_id",
            Reason::NotAppend => "not_append",
            Reason::RootRewrite => "root_rewrite",
            Reason::RegisterMisplaced => "register_misplaced",
            Reason::LeadElsewhere => "lead_elsewhere",
            Reason::ForeignAuthor => "foreign_author",
            Reason::ManagerOnly => "manager_only",
            Reason::NotTheDecider => "not_the_decider",
            Reason::DirectoryForbidden => "directory_forbidden",
            Reason::RenameForbidden => "rename_forbidden",
            Reason::BadPolicy => "bad_policy",
            Reason::MissingDependency => "missing_dependency",
            Reason::DependsOnQuarantined => "depends_on_quarantined",
        }
    }

    /// The reason of a code (for stored quarantine rows).
    pub fn from_code(code: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.code() == code)
    }

    /// True when the change tries to take, erase or speak for something (the hub
    /// answers 403); false for a merely malformed one (422).
    pub fn is_forbidden(self) -> bool {
        matches!(
            self,
            Reason::WrongScope
                | Reason::NotEvent
                | Reason::DuplicateKey
                | Reason::NotAppend
                | Reason::RootRewrite
                | Reason::LeadElsewhere
                | Reason::ForeignAuthor
                | Reason::ManagerOnly
                | Reason::NotTheDecider
                | Reason::DirectoryForbidden
                | Reason::RenameForbidden
        )
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// A refused change or value: the reason and what exactly was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Violation {
    pub reason: Reason,
    pub message: String,
}

impl Violation {
    pub fn new(reason: Reason, message: impl Into<String>) -> Violation {
        Violation { reason, message: message.into() }
    }

    /// The same violation with `context` in front of its message.
    pub fn context(self, context: impl std::fmt::Display) -> Violation {
        Violation { reason: self.reason, message: format!("{context}: {}", self.message) }
    }
}

/// Shorthand for `Err(Violation::new(..))`.
pub(crate) fn refuse<T>(reason: Reason, message: impl Into<String>) -> Result<T, Violation> {
    Err(Violation::new(reason, message))
}
