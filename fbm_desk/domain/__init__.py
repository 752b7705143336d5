"""Business rules that are not Amazon protocol, storage or a sync job: stores, packing, carriers."""
