"""The engine: dtypes, shapes, graph, ops, autodiff, variables, session, devices."""
