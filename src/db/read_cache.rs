//! Results of a read kept for the next request that asks the same, while the database stays
//! as it was (the same `DataGeneration`) and the clock has not reached a moment that changes
//! them (an invitation expiring, a new day for "Added in the last 30 days").

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use chrono::{Duration, NaiveDateTime};

use super::generation::{DataGeneration, Generation};

/// However long its values would hold, nothing is kept longer: an idle entry should not hold
/// its memory for days.
const LONGEST_KEPT_MINUTES: i64 = 10;

pub struct ReadCache<K, V> {
    entries: Mutex<HashMap<K, Kept<V>>>,
    capacity: usize,
}

struct Kept<V> {
    generation: u64,
    valid_until: NaiveDateTime,
    value: Arc<V>,
}

impl<K: Eq + Hash, V> ReadCache<K, V> {
    pub fn new(capacity: usize) -> Self {
        ReadCache {
            entries: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    /// The value kept for `key` from this generation, if it still holds at `now`.
    pub fn get(&self, key: &K, generation: Generation, now: NaiveDateTime) -> Option<Arc<V>> {
        let generation = generation?;
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(key)
            .filter(|kept| kept.generation == generation && now < kept.valid_until)
            .map(|kept| kept.value.clone())
    }

    /// Keeps `value`, read in `generation` at `now`, until `valid_until` at the latest. Nothing
    /// is kept when the read had no generation or a change was noticed since it began.
    pub fn keep(
        &self,
        generations: &DataGeneration,
        key: K,
        generation: Generation,
        now: NaiveDateTime,
        valid_until: NaiveDateTime,
        value: Arc<V>,
    ) {
        let Some(generation) = generation else {
            return;
        };
        let valid_until = valid_until.min(now + Duration::minutes(LONGEST_KEPT_MINUTES));
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if !generations.still(generation) {
            return;
        }
        if entries.len() >= self.capacity {
            entries.retain(|_, kept| kept.generation == generation && now < kept.valid_until);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(
            key,
            Kept {
                generation,
                valid_until,
                value,
            },
        );
    }
}
