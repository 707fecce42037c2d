//! The demo's quality assurance history: each quality-assured PEP graded
//! by the Virtual School officer, most of them good; those graded
//! "requires improvement" were returned for improvement once before.

use chrono::{DateTime, TimeDelta, Utc};
use openpep_domain::pages::attainment::Rag;
use openpep_domain::quality::{Grade, Scheme};
use openpep_store::Tx;
use openpep_store::peps::Pep;
use openpep_store::quality::{self, NewGrade, NewReturn};
use rand::Rng;
use rand::rngs::StdRng;
use uuid::Uuid;

use crate::ServiceError;

const GOOD: &str = "";
const IMPROVE: &str = "The targets only became SMART once the PEP was returned, and the \
     carer's part in them is still unclear.";
const RETURNED: &str = "Make the targets SMART: say how success will be measured and by when.";

/// Grades `pep` (signed off on `signed_at`) as `officer` did a week later.
pub(super) async fn grade(
    tx: &mut Tx,
    rng: &mut StdRng,
    pep: &Pep,
    officer: Uuid,
    rag: Option<Rag>,
    signed_at: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let improve = rng.random_bool(0.2);
    let graded_at = signed_at + TimeDelta::days(7);
    if improve {
        let returned_at = signed_at + TimeDelta::days(3);
        let due_on = returned_at.date_naive() + TimeDelta::days(14);
        let pages = ["targets".to_owned()];
        let r = NewReturn {
            la_id: pep.la_id,
            pep_id: pep.id,
            comments: RETURNED,
            due_on,
            pages: &pages,
            by: officer,
            at: returned_at,
        };
        let back = pep.signed_off_by.map(|by| (by, signed_at + TimeDelta::days(5)));
        quality::insert_return(tx, &r, back).await?;
    }
    let (grade, comments) =
        if improve { (Grade::RequiresImprovement, IMPROVE) } else { (Grade::Good, GOOD) };
    let g = NewGrade {
        la_id: pep.la_id,
        pep_id: pep.id,
        scheme: Scheme::Ofsted.code(),
        grade: grade.code(),
        comments,
        progress_rag: rag.map(|r| r.code()),
        by: officer,
        at: graded_at,
    };
    quality::insert_grade(tx, &g).await?;
    Ok(())
}
