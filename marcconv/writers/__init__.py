"""Writers: each turns references into one output format."""
