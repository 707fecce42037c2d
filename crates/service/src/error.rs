use openpep_store::StoreError;

/// What a use case can report. Anything unexpected is `Internal`: the web
/// layer shows a 500 page with a reference and logs the detail.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The record does not exist or is outside the caller's scope; the two
    /// are not told apart, so nobody learns what exists.
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// Too much at once (e.g. password hashing): try again shortly.
    #[error("busy")]
    Busy,
    /// The database cannot be reached: try again in a few minutes.
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for ServiceError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => ServiceError::NotFound,
            StoreError::Unavailable(e) => ServiceError::Unavailable(e.to_string()),
            other => ServiceError::Internal(other.to_string()),
        }
    }
}

/// One problem with one field of a form, in the words the user will see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The form field's name (and the id of its input, for the summary link).
    pub field: String,
    pub message: String,
}

/// The problems with a submitted form, in the order of its fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError { field: field.into(), message: message.into() });
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The message for a field, if it has one.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }
    /// A domain check's problems, under the field names it gave them.
    pub fn from_problems(problems: openpep_domain::pages::Problems) -> FieldErrors {
        FieldErrors(
            problems.0.into_iter().map(|(field, message)| FieldError { field, message }).collect(),
        )
    }

    /// The message for a field, or "" (what the form components take).
    pub fn message(&self, field: &str) -> &str {
        self.get(field).unwrap_or("")
    }
}

impl FieldErrors {
    /// A person's full name as typed (trimmed), noting if it is missing or
    /// longer than 100 characters.
    pub fn full_name(&mut self, field: &str, typed: &str, missing: &str) -> String {
        let name = typed.trim();
        if name.is_empty() {
            self.add(field, missing);
        } else if name.chars().count() > 100 {
            self.add(field, "Full name must be 100 characters or fewer");
        }
        name.to_owned()
    }

    /// Parses an e-mail address typed into `field`, noting what is wrong:
    /// `missing` if nothing was typed, the format message otherwise.
    pub fn email(
        &mut self,
        field: &str,
        typed: &str,
        missing: &str,
    ) -> Option<openpep_domain::Email> {
        if typed.trim().is_empty() {
            self.add(field, missing);
            return None;
        }
        match openpep_domain::Email::parse(typed) {
            Ok(email) => Some(email),
            Err(_) => {
                self.add(
                    field,
                    "Enter an email address in the correct format, like name@example.com",
                );
                None
            }
        }
    }
}
