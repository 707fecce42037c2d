//! The authority's people, as its Virtual School manages them.

use openpep_domain::{AuthorityAction, search};
use openpep_store::schools::School;
use openpep_store::users::{self, Person};
use openpep_store::{authorities, schools};

use crate::{Actor, ServiceError, Services};

impl Services {
    pub async fn people(
        &self,
        actor: &Actor,
        query: Option<&str>,
    ) -> Result<Vec<Person>, ServiceError> {
        self.authorise(actor, AuthorityAction::ViewPeople)?;
        let folded = query.map(search::fold);
        Ok(users::people(&self.db, actor.la_id, folded.as_deref()).await?)
    }

    /// The schools and settings the authority works with.
    pub async fn authority_schools(&self, actor: &Actor) -> Result<Vec<School>, ServiceError> {
        let la = authorities::get(&self.db, actor.la_id).await?;
        Ok(schools::for_authority(&self.db, la.id, &la.code).await?)
    }
}
