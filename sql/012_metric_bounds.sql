-- Bounds on figures (docs/FORMATS.md): a metric may declare the least and greatest value a figure
-- may have (a count: min 0; a percentage: 0 to 100). Headway refuses figures outside them at load,
-- naming the line, and keeps its forecasts within them. NULL: no bound.
ALTER TABLE headway.metrics
    ADD COLUMN min_value numeric CHECK (abs(min_value) < 1e100),
    ADD COLUMN max_value numeric CHECK (abs(max_value) < 1e100),
    ADD CONSTRAINT metrics_bounds_ordered CHECK (min_value IS NULL OR max_value IS NULL OR min_value <= max_value);
