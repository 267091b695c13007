//! Enterprise problems (企业难题) and their handling steps. (Being built.)
