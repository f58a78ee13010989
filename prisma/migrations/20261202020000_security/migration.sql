-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN     "role" TEXT NOT NULL DEFAULT 'editor';

-- CreateTable
CREATE TABLE "AuditLog" (
    "id" BIGSERIAL NOT NULL,
    "projectId" TEXT NOT NULL,
    "time" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "keyId" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "requestId" TEXT,
    "status" INTEGER NOT NULL,
    "operationName" TEXT,

    CONSTRAINT "AuditLog_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RedisUser" (
    "uid" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "locationId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "accessString" TEXT NOT NULL,
    "authType" TEXT NOT NULL,
    "passwordHashes" TEXT[],
    "generation" INTEGER NOT NULL DEFAULT 1,
    "createTime" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updateTime" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RedisUser_pkey" PRIMARY KEY ("uid")
);

-- CreateTable
CREATE TABLE "RedisAcl" (
    "uid" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "locationId" TEXT NOT NULL,
    "aclId" TEXT NOT NULL,
    "userIds" TEXT[],
    "generation" INTEGER NOT NULL DEFAULT 1,
    "createTime" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updateTime" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RedisAcl_pkey" PRIMARY KEY ("uid")
);

-- CreateTable
CREATE TABLE "CertificateAuthority" (
    "uid" TEXT NOT NULL,
    "instanceUid" TEXT NOT NULL,
    "serialNumber" TEXT NOT NULL,
    "certPem" TEXT NOT NULL,
    "sealedKey" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "createTime" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expireTime" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CertificateAuthority_pkey" PRIMARY KEY ("uid")
);

-- CreateIndex
CREATE INDEX "AuditLog_projectId_time_idx" ON "AuditLog"("projectId", "time");

-- CreateIndex
CREATE UNIQUE INDEX "RedisUser_projectId_locationId_userId_key" ON "RedisUser"("projectId", "locationId", "userId");

-- CreateIndex
CREATE UNIQUE INDEX "RedisAcl_projectId_locationId_aclId_key" ON "RedisAcl"("projectId", "locationId", "aclId");

-- CreateIndex
CREATE INDEX "CertificateAuthority_instanceUid_idx" ON "CertificateAuthority"("instanceUid");


-- Keys made before roles existed keep what they could do: the admin key (every project) is admin,
-- every other key could create, update and delete in its projects.
UPDATE "ApiKey" SET "role" = 'admin' WHERE '*' = ANY("projects");
