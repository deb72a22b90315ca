//! One module per published experiment; each reads its data through [`crate::data`] and
//! shares fitting helpers through [`crate::fits`], never through another experiment.

pub mod autoscale;
pub mod capacity;
pub mod epoch_bootstrap;
pub mod epoch_chinchilla;
pub mod infolaw_repetition;
pub mod infolaw_table6;
pub mod muennighoff;
pub mod olmix;
pub mod regmix;
pub mod scalefit_chinchilla;
pub mod shukor_optimum;
pub mod shukor_select;
pub mod shukor_table8;
pub mod sldbench_mixture;
pub mod vpnls;
pub mod ye_mixing;
