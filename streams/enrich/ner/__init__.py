"""Named-entity recognition: a CRF over clitic-aware features, gazetteers and canonical forms."""
