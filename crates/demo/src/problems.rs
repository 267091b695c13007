//! Demo 企业难题: a few hundred problems across the seed year in every state. (Being built.)

use qx_store::{Store, StoreError};
use rand_chacha::ChaCha8Rng;

pub async fn seed(_store: &Store, _rng: &mut ChaCha8Rng) -> Result<(), StoreError> {
    Ok(())
}
