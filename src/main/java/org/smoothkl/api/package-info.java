/**
 * The library API: an audit's settings resolved one way for the command line and for library
 * callers ({@link org.smoothkl.api.AuditSettings}: given values &gt; --config file &gt; the bundled
 * conf/smoothkl.conf, checked with the command line's messages).
 */
package org.smoothkl.api;
