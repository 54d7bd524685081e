/** Payment proofs staged by POST /uploads for a later mutation (README, "Uploads"). */
export { UploadStore, type StagedUpload, type UploadRejection, type UploadStoreOptions } from './diskStore.js';
export { MemoryUploadIndex, RedisUploadIndex, type UploadIndex, type UploadRecord } from './uploadIndex.js';
