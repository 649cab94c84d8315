"""Qt widgets of the Mobile Alert Console."""
