//! The store and run dirs: who on the host may enter them.
