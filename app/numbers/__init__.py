"""Phone numbers: searching, buying and listing them."""
