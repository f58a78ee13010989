-- CreateTable
CREATE TABLE "AwsCredential" (
    "accessKeyId" TEXT NOT NULL,
    "keyId" TEXT NOT NULL,
    "project" TEXT NOT NULL,
    "sealedSecret" TEXT NOT NULL,
    "createTime" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AwsCredential_pkey" PRIMARY KEY ("accessKeyId")
);

-- CreateTable
CREATE TABLE "ParameterGroup" (
    "uid" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "locationId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "family" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "parameters" JSONB NOT NULL DEFAULT '{}',
    "createTime" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ParameterGroup_pkey" PRIMARY KEY ("uid")
);

-- CreateTable
CREATE TABLE "SubnetGroup" (
    "uid" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "locationId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "subnetIds" TEXT[],
    "createTime" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SubnetGroup_pkey" PRIMARY KEY ("uid")
);

-- CreateTable
CREATE TABLE "ResourceTag" (
    "resourceUid" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "ResourceTag_pkey" PRIMARY KEY ("resourceUid","key")
);

-- CreateIndex
CREATE UNIQUE INDEX "AwsCredential_keyId_key" ON "AwsCredential"("keyId");

-- CreateIndex
CREATE UNIQUE INDEX "ParameterGroup_projectId_locationId_name_key" ON "ParameterGroup"("projectId", "locationId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "SubnetGroup_projectId_locationId_name_key" ON "SubnetGroup"("projectId", "locationId", "name");

-- CreateIndex
CREATE INDEX "ResourceTag_projectId_idx" ON "ResourceTag"("projectId");

