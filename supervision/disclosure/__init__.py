"""The annual disclosure report (年度行政执法数据公开, 国办发〔2018〕118号).

For year Y, per agency (by agency code) and for the county: the figures of
every source (:mod:`supervision.disclosure.figures`, one provider per source,
each a few aggregate queries), an analysis generated from them that an editor
may amend (both kept), and the states draft -> reviewed (judicial bureau) ->
published (recorded as submitted to the county government). A published
report never changes; a corrected version supersedes it with a note, and both
stay public.
"""
