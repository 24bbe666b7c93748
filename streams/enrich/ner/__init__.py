"""Named-entity recognition: BiLSTM-CRF taggers (numpy at run time), a review of their spans, gazetteers."""
