/* tls: --cacert and --insecure, the same in every command that talks
 * HTTP to a target (options.h), handed to the transport once. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "io/http.h"

int cmd_http_trust(const char *cmd, const char *cacert, bool insecure)
{
	struct http_tls t = { cacert, insecure };

	/* A CA file that cannot be read is the user's mistake, said now, not
	 * an error of every https request later. */
	if (cacert) {
		struct stat st;
		int fd = open(cacert, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			return cmd_usage_error(cmd, "--cacert '%s': %s", cacert, strerror(errno));
		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			close(fd);
			return cmd_usage_error(cmd, "--cacert '%s' is a directory; give a PEM file", cacert);
		}
		close(fd);
	}
	http_set_tls(&t);
	return 0;
}
