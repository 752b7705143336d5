"""Table models of the warehouse screens (orders, products, inventory): SQL-backed."""
