//! Demo enterprises, yearly facts and an evaluated data year. (Being built.)

use qx_store::{Store, StoreError};
use rand_chacha::ChaCha8Rng;

pub async fn seed(_store: &Store, _rng: &mut ChaCha8Rng) -> Result<(), StoreError> {
    Ok(())
}
