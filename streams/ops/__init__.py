"""Operations: what a worker shows about itself (telemetry) and the live ops page it serves."""
