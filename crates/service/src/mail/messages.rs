//! The words of every e-mail the service sends. Plain text, short, in the
//! GOV.UK voice; never a child's name or any detail of a record.

/// A message ready for the outbox.
pub struct Content {
    pub kind: &'static str,
    pub subject: String,
    pub body: String,
}

pub fn sign_in_code(code: &str, minutes: i64) -> Content {
    Content {
        kind: "sign_in_code",
        subject: format!("{code} is your OpenPEP sign-in code"),
        body: format!(
            "Your OpenPEP sign-in code is {code}\n\n\
             Enter it on the sign-in page. It works once, for {minutes} minutes.\n\n\
             If you did not try to sign in, someone may know your password: change it, and \
             tell your Virtual School.\n"
        ),
    }
}

pub fn account_locked(minutes: i64) -> Content {
    Content {
        kind: "account_locked",
        subject: "Your OpenPEP account has been locked".into(),
        body: format!(
            "Someone entered the wrong password for your OpenPEP account too many times, so we \
             have locked it for {minutes} minutes.\n\n\
             If this was you, wait and try again, or reset your password. If it was not you, \
             tell your Virtual School: they can also unlock your account.\n"
        ),
    }
}
