"""The ITU strategic-plan model (Tables 7.1 and 7.2): objectives, outputs, results, KPIs."""
