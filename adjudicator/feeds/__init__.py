"""Monthly department feeds: raw bureau exports in (医保, 应急, 教育, 民政), warning lines,
the push list (预警推送名单), the township's screening (初筛), claims and verification tasks,
and the monthly report. docs/feeds.md describes the loop."""
