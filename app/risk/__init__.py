"""Early warning: rules as data and their evaluation (pure Python), plus crisis protocols."""
