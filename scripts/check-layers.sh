#!/bin/bash
# check-layers: the layering rules of docs/architecture.md, enforced on the
# compiled objects (nm -u lists what each object calls), so a violation
# fails the suite instead of waiting for a reviewer:
#   1. the pure layers (src/facts, src/goruntime, src/check) do no I/O:
#      no file, socket, process, directory or dynamic-loading calls;
#   2. nothing outside src/cmd and src/report prints: no stdout, stderr,
#      printf, puts, putchar, perror, err/warn. src/serve and src/launch
#      are such layers: they do I/O (sockets, the store, serve's own log
#      FILE) and never print.
# usage: check-layers.sh OBJECT_DIR [SOURCE_DIR]
#   OBJECT_DIR  build/CMakeFiles/preflight_core.dir
#   SOURCE_DIR  the tree's root: objects whose source is gone (a stale build
#               directory after a file moved) are skipped
# Prints one line per violation, "src/check/x.c.o: calls fopen (I/O in a
# pure layer)", and exits 1 when there is any; 2 on a usage error.
set -u
dir=${1:-}
srcdir=${2:-}
[ -d "$dir/src" ] || { echo "check-layers: '$dir' holds no src/ objects" >&2; exit 2; }

io_symbols='open open64 openat openat64 creat read pread pread64 readv write pwrite pwrite64 writev close
fopen fopen64 fdopen freopen fclose fread fwrite fgets fgetc getc getline getdelim fputs fputc putc
printf fprintf vprintf vfprintf dprintf vdprintf puts putchar perror fflush fsync fdatasync
__printf_chk __fprintf_chk __vfprintf_chk __vprintf_chk __fread_chk __read_chk
stat stat64 fstat fstat64 lstat lstat64 fstatat fstatat64 statx access faccessat readlink readlinkat
opendir fdopendir readdir readdir64 closedir scandir mkdir mkdirat unlink unlinkat rename renameat rmdir
socket connect bind listen accept accept4 send sendto sendmsg recv recvfrom recvmsg setsockopt getsockopt
poll ppoll select epoll_wait ioctl mmap mmap64 munmap
dlopen dlsym dlclose fork vfork execve execvp popen pclose system setns unshare kill
stdin stdout stderr'
print_symbols='stdout stderr printf vprintf puts putchar perror __printf_chk __vprintf_chk err errx warn warnx verr verrx vwarn vwarnx'

declare -A io_set print_set
for sym in $io_symbols; do io_set[$sym]=1; done
for sym in $print_symbols; do print_set[$sym]=1; done

status=0
check_object() {   # object, name of the forbidden set, what
	local obj=$1 what=$3 sym
	local -n set=$2
	for sym in $(nm -u "$obj" 2>/dev/null | awk '{ sub(/@.*/, "", $2); print $2 }'); do
		if [ -n "${set[$sym]:-}" ]; then
			echo "${obj#"$dir"/}: calls $sym ($what)"
			status=1
		fi
	done
}

while IFS= read -r -d '' obj; do
	rel=${obj#"$dir"/}
	if [ -n "$srcdir" ] && [ ! -e "$srcdir/${rel%.o}" ]; then
		continue
	fi
	case $rel in
	src/facts/* | src/goruntime/* | src/check/*)
		check_object "$obj" io_set "I/O in a pure layer"
		;;
	src/cmd/* | src/report/* | src/main.c.o) ;;
	*)
		check_object "$obj" print_set "printing outside src/cmd and src/report"
		;;
	esac
done < <(find "$dir/src" -name '*.o' -print0 | sort -z)
exit $status
