/*
 * node_exporter 1.5's upstream default filters, so the same filesystems and disks appear from either.
 * Debian's package patches some of them (it also drops /run, /mnt, /media and the `lo` device); we
 * follow upstream, which is what the release binaries and container images ship.
 */

/** --collector.filesystem.mount-points-exclude */
export const MOUNT_POINTS_EXCLUDE =
  /^\/(dev|proc|run\/credentials\/.+|sys|var\/lib\/docker\/.+|var\/lib\/containers\/storage\/.+)($|\/)/;

/** --collector.filesystem.fs-types-exclude */
export const FS_TYPES_EXCLUDE =
  /^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$/;

/** --collector.diskstats.device-exclude: whole disks only, no partitions, ram, loop or floppy devices. */
export const DISK_DEVICES_EXCLUDE = /^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$/;
