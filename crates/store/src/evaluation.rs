//! Enterprise yearly facts, evaluation schemes and results (亩均效益). (Being built.)
