"""Outside PKIs (BSrE-like, a CSC trust service provider, an untrusted CA) and their live services.

Use the session fixture ``outside`` (:class:`tests.outside.servers.OutsideServers`): ``outside.pki``
(certificates, keys, chains, PKCS#12, anchors folder), ``outside.animator_url`` (OCSP, CRLs, TSAs),
``outside.csc_url`` (CSC API v1 base, PIN ``outside.csc_pin(credential_id)``), ``outside.add_app(app)``.
"""
