-- AlterTable
ALTER TABLE "Instance" ADD COLUMN     "dataJob" JSONB;

