//! 企业难题 (enterprise problems): states, tiers and time limits. (Being built.)
