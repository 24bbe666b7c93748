"""The application layer's shared wiring: the one processing path from a raw record to an enriched
article (``process``), the stages in use (``stages``) and the pure cores' options from the settings
(``options``). The worker, the reindex job and ``newsflow process`` all go through here."""
