-- AlterTable
ALTER TABLE "Operation" ADD COLUMN     "request" JSONB;

-- CreateTable
CREATE TABLE "BackupCollection" (
    "uid" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "locationId" TEXT NOT NULL,
    "sourceKind" TEXT NOT NULL,
    "sourceName" TEXT NOT NULL,
    "createTime" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BackupCollection_pkey" PRIMARY KEY ("uid")
);

-- CreateTable
CREATE TABLE "Backup" (
    "uid" TEXT NOT NULL,
    "collectionUid" TEXT NOT NULL,
    "backupId" TEXT NOT NULL,
    "backupType" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "engineVersion" TEXT NOT NULL,
    "nodeType" TEXT,
    "shardCount" INTEGER NOT NULL,
    "replicaCount" INTEGER NOT NULL,
    "files" JSONB NOT NULL DEFAULT '[]',
    "totalSizeBytes" BIGINT NOT NULL DEFAULT 0,
    "createTime" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expireTime" TIMESTAMP(3),

    CONSTRAINT "Backup_pkey" PRIMARY KEY ("uid")
);

-- CreateTable
CREATE TABLE "ProjectKey" (
    "projectId" TEXT NOT NULL,
    "wrappedKey" TEXT NOT NULL,
    "createTime" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProjectKey_pkey" PRIMARY KEY ("projectId")
);

-- CreateIndex
CREATE INDEX "BackupCollection_projectId_locationId_idx" ON "BackupCollection"("projectId", "locationId");

-- CreateIndex
CREATE INDEX "Backup_state_idx" ON "Backup"("state");

-- CreateIndex
CREATE INDEX "Backup_expireTime_idx" ON "Backup"("expireTime");

-- CreateIndex
CREATE UNIQUE INDEX "Backup_collectionUid_backupId_key" ON "Backup"("collectionUid", "backupId");

-- AddForeignKey
ALTER TABLE "Backup" ADD CONSTRAINT "Backup_collectionUid_fkey" FOREIGN KEY ("collectionUid") REFERENCES "BackupCollection"("uid") ON DELETE CASCADE ON UPDATE CASCADE;

