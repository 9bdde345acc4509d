/** Test support shared by the end-to-end suites (published in the stream-jobs test-jar). */
package io.riffle.jobs.testing;
